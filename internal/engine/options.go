package engine

import (
	"io"
	"time"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
)

// Options say how to run a flow.
type Options struct {
	// Params override the flow's params.
	Params map[string]any
	// Seed overrides the flow's seed. When neither sets one, the seed of the
	// flow's latest run is reused (so an unchanged rerun hits the cache), and
	// the flow's first run draws one.
	Seed *int64
	// FreshSeed draws a new seed even when an earlier run's could be reused.
	FreshSeed bool
	// Jobs is how many steps run at once (<= 0: as many as the backend
	// has slots).
	Jobs int
	// Steps limits the run to these steps and what they depend on.
	Steps []string
	// KeepGoing runs on after a step fails, like make -k: only the steps
	// that depend on a failed one are skipped.
	KeepGoing bool
	// NoCache runs every step even when an identical task ran before.
	NoCache bool
	// Force runs these steps even when cached.
	Force []string
	// Sandbox overrides the flow's sandbox setting: "required" or "none".
	Sandbox string
	// Backend runs the tasks; required.
	Backend backend.Backend
	// Logs returns the writers a step's stdout and stderr stream to. Steps
	// run side by side, so it is called from several goroutines at once.
	Logs func(step string) (stdout, stderr io.Writer)
	// Events, if set, is told when steps start and end and when inputs are
	// hashed; like Logs, from several goroutines at once.
	Events func(Event)
	// Reproduces, if set, is the id of the run this run re-executes; it is
	// recorded in the run record.
	Reproduces string
	// ArchiveEnv stores each task's toolchain directories as trees (also
	// on with `environment: {archive: true}` in the flow).
	ArchiveEnv bool
	// RestoreEnvFrom, if set, is a run whose archived environments are
	// mounted, step by step, at their original paths (needs the sandbox).
	RestoreEnvFrom string
	// ResumeFrom, if set, is a failed or aborted run to continue: its
	// succeeded tasks are reused as they are (recorded as cached), the rest
	// run. Params and seed default to that run's.
	ResumeFrom string
	// Signer signs the provenance of a succeeded run; nil leaves it
	// unsigned. The caller resolves which key (flag, flow, environment).
	Signer core.Signer
	// BuilderID overrides the provenance's builder id.
	BuilderID string
}

// Event is progress a user may want to see.
type Event struct {
	Kind     EventKind
	Run      string
	Step     string
	Status   string      // for StepDone
	Task     core.Digest // for StepDone: the task record, when there is one
	Duration time.Duration
	Bytes    int64 // for Hashing: bytes hashed so far
	Message  string
}

// EventKind says what an Event reports.
type EventKind int

// Kinds of events.
const (
	RunStarted EventKind = iota
	StepStarted
	StepDone
	Hashing
	Notice
	// RunSigned: Message is the signing key's fingerprint, Bytes unused.
	RunSigned
	// RunUnsigned: the run succeeded but no signing key was configured.
	RunUnsigned
)
