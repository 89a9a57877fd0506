// Package backend is where tasks leave the engine: the Backend interface,
// the Task it is handed, and a registry of backends by name (`--on
// local`). A backend is one folder (backend/local, backend/slurm,
// backend/kubernetes) that registers an Opener in the CLI's one list and
// passes the contract suite in backend/backendtest.
//
// # The protocol
//
// The engine stores each task's core.TaskSpec as an object and calls
// Exec with its digest and its resources. The backend refuses a request it
// cannot meet (ErrRefused, naming the step and the resource), else runs
//
//	lockstep task exec --store URL --catalog URL [--work DIR] SPEC-DIGEST
//
// where the task is to run (the Config it was opened with gives the URLs;
// $LOCKSTEP_STORE, $LOCKSTEP_CATALOG and $LOCKSTEP_WORK do the same). The
// executor needs nothing else from the submitter: no shared folder, no
// path into the store, no result file. It streams the step's stdout to its
// stdout and the step's stderr to its stderr, writes the task record into
// the store, and ends its stdout with one line
//
//	lockstep-task-record: sha256:HEX
//
// preceded by a newline when the step's output did not end with one, then
// exits 0. Exit status 1 means no record was written; 2 a usage error.
// Reporter writes that line; ReportReader, on the backend's side, streams
// everything before it to the step's log as it arrives and returns the
// digest. A step cannot forge the report: only the last line counts, and
// the engine reads the record from the store and checks that it is the
// record of the spec it submitted, in its run.
//
// # Where the cache is looked up
//
// A task's cache key has two phases. The engine computes the plan key
// from what it knows (command, code, inputs, params, seed, outputs and
// settings) and puts it in the spec. The executor captures the
// environment of the host it runs on and makes the final key (plan key +
// environment digest); that is the key it looks the cache up by, in the
// catalog it was given (--catalog), and the key the record carries. So a
// result made on one environment is never handed to a task on another,
// and the submitter never captures anything. The alternative, the engine
// passing candidate records found by plan key, would need a second index
// and would still have to be filtered at the executor; one lookup by final
// key where the environment is known is simpler and cannot be wrong. The
// engine still decides whether the cache may be used at all (the spec's
// NoCache, from --no-cache and --force).
//
// The sandbox check, too, runs at the executor; the engine may refuse a
// required sandbox early only for a backend whose Info says SameHost.
//
// The report travels on stdout, not on a spare file descriptor or a file,
// because stdout is what every scheduler brings back (a Slurm job's
// output, a pod's log).
package backend
