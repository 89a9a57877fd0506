// Package capture records what a step ran with: the machine (OS release,
// kernel, libc, CPU, memory, GPUs and their software: driver, CUDA, cuDNN),
// the installed OS packages, the Python interpreter and its packages, the
// allowlisted environment variables with secret values sealed, and the git
// state and file selection of the project's code.
//
// An Environment is stored as canonical JSON and deduplicated by digest, so
// everything in it is deterministic: slices are sorted and nothing that
// changes between two identical tasks (times, PIDs, CPU frequency) is
// recorded. Host facts are read once per process; OS package lists and
// Python site directories are re-read only when their files change, so a
// capture for a command that is not Python costs microseconds.
//
// Capture never runs pip or a package manager's resolver: it reads dpkg's
// and apk's databases and every *.dist-info/METADATA and *.egg-info/PKG-INFO
// on the interpreter's sys.path itself, keeping the first distribution of
// each name as Python's import system does.
package capture
