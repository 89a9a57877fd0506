// Package engine runs a flow. Its caller parses the flow (flow.Load or
// flow.Parse), takes the code snapshot (Home.Snapshot: the working tree for
// the CLI, an upload for a server), picks the signing key (a core.Signer)
// and the backend (backend.Open); Home.Run then records the run, resolves
// inputs to digests, turns each ready step into a core.TaskSpec with its
// plan key (command, code, inputs, params, seed, outputs, settings: what
// the submitter knows), stores it and hands its digest to the backend, up
// to -j or the backend's slots at once. The backend's executor (`lockstep
// task exec`, package task) captures the environment where the task runs,
// makes the final cache key and reuses or runs the task; the engine never
// captures an environment. It reads back the record the backend reported,
// checks it is the record of the spec it stored, skips what depends on a
// failure (or everything after it, without KeepGoing), writes the run
// record and signs its provenance (package provenance). A failed run resumes from its failed
// tasks (ResumeFrom). Progress comes out as Events, which EventStream
// turns into the versioned JSON lines of `run --json`; Why explains what
// in a step's cache key changed since its last run, the executor's
// environment included. It also opens a lockstep home (store + catalog)
// and marks runs whose process died as aborted.
package engine
