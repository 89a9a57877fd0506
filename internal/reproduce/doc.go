// Package reproduce re-runs an old run and explains every difference.
//
// Reproduce restores a run's exact code tree and its project-path inputs
// from the store into a fresh folder, runs the flow again there with the
// recorded params and seed and the cache off, and compares the rerun with
// the original task by task in DAG order. Each output gets a verdict:
// reproduced (bit-identical), reproduced within tolerance (only numbers in
// JSON differ, within rtol/atol) or differs. When a run differs, the report
// names the first task whose inputs matched but whose outputs did not (the
// tasks after it are consequences), shows a short structural diff of each
// differing output (JSON keys and values, CSV rows and cells, files added,
// removed or changed in a directory) and the environment diff between the
// two tasks.
//
// The same comparison explains any two runs of a flow (Diff), adding what
// the user changed: code files, the flow file, params and seed.
//
// A Report is stored as a canonical JSON object of type
// "lockstep.reproduction/v1"; Attest signs an in-toto statement of predicate
// type https://lockstep.dev/reproduction/v1 whose subjects are the rerun's
// bit-identical outputs, so a policy can require that an independent
// rebuilder reproduced an artifact.
package reproduce
