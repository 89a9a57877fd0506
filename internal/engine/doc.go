// Package engine runs a flow: it snapshots the code, resolves inputs to
// digests, turns each ready step into a task spec, looks the task up in the
// cache, hands the rest to a backend (which runs `lockstep task exec`), and
// writes the run record. It also opens a lockstep home (store + catalog) and
// marks runs whose process died as aborted.
package engine
