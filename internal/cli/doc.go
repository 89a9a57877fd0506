// Package cli holds lockstep's commands. Each command is a constructor, an
// options struct and one run function that parses, calls a package to do the
// work and prints; the commands hold no logic of their own. Execute maps
// errors to the documented exit codes: 0 success, 1 a run or check failed,
// 2 a usage or input error.
package cli
