// Package engine runs a flow. Its caller parses the flow (flow.Load or
// flow.Parse), takes the code snapshot (Home.Snapshot: the working tree for
// the CLI, an upload for a server) and picks the signing key (a
// core.Signer); Home.Run then records the run, resolves inputs to digests,
// turns each ready step into a task spec, looks the task up in the cache,
// hands the rest to a backend (which runs `lockstep task exec`), writes the
// run record and signs its provenance (package provenance). Progress comes out as Events, which
// EventStream turns into the versioned JSON lines of `run --json`; Why
// explains what in a step's cache key changed since its last run. It also
// opens a lockstep home (store + catalog) and marks runs whose process died
// as aborted.
package engine
