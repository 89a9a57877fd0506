// Package core holds the types every other lockstep package shares:
// content digests, directory trees, canonical JSON and the records a run
// leaves behind (runs and tasks). It imports nothing else of lockstep, so
// every layer can depend on it without creating a cycle.
package core
