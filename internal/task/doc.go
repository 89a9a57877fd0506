// Package task executes one step of a flow: it reads a task spec from the
// store, materialises the code and inputs read-only, runs the command (in the
// sandbox) with the step contract, collects and scans the outputs, captures
// the environment and writes the task record. Every backend (local, Slurm,
// Kubernetes) reaches this package through `lockstep task exec SPEC`, so the
// same capture logic runs everywhere.
//
// The step contract: LOCKSTEP_INPUT_<NAME> (read-only path),
// LOCKSTEP_OUTPUT_DIR, LOCKSTEP_SEED and PYTHONHASHSEED, LOCKSTEP_PARAMS (a
// JSON file) and LOCKSTEP_PARAM_<NAME>, LOCKSTEP_METRICS (a JSON file the step
// may write). Nothing else of the caller's environment leaks in but the
// allowlisted variables and those the step names in `env:`.
package task
