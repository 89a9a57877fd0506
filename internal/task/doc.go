// Package task executes one step of a flow where it runs: it reads a
// core.TaskSpec from the store, checks the host can run it (the sandbox it
// requires), captures this host's environment, makes the final cache key
// (the spec's plan key + the environment's digest, FinalKey) and reuses an
// earlier task with that key when the catalog has one; otherwise it
// materialises the code and inputs read-only, runs the command (in the
// sandbox) with the step contract, collects and scans the outputs and
// writes the task record. Every backend (local, Slurm, Kubernetes)
// reaches this package through `lockstep task exec SPEC`, so the same
// capture, key and cache logic runs everywhere, and only here.
//
// The step contract: LOCKSTEP_INPUT_<NAME> (read-only path),
// LOCKSTEP_OUTPUT_DIR, LOCKSTEP_SEED and PYTHONHASHSEED, LOCKSTEP_PARAMS (a
// JSON file) and LOCKSTEP_PARAM_<NAME>, LOCKSTEP_METRICS (a JSON file the step
// may write). Nothing else of the caller's environment leaks in but the
// allowlisted variables and those the step names in `env:`.
package task
