package catalog

import (
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// RunRow is the catalog's view of one run.
type RunRow struct {
	ID     string
	Flow   string
	Status string // core.StatusRunning, StatusSucceeded, StatusFailed or StatusAborted
	Error  string
	// Record is the digest of the run record object; "" while running.
	Record   core.Digest
	Started  time.Time
	Finished time.Time // zero while running
	Host     string
	PID      int // process that runs it on Host; 0 when rebuilt from a record
	Code     core.Digest
	Seed     int64
	// ResumedFrom is the id of the failed run this one resumes, or "".
	ResumedFrom string
}

// RunOutputs is a run with the outputs of its tasks, as a listing of runs
// shows them.
type RunOutputs struct {
	RunRow
	// Outputs maps each step that has outputs to its outputs' names and
	// digests; steps without outputs are absent.
	Outputs map[string]map[string]core.Digest
}

// TaskRow is the catalog's view of one task: one step of one run.
type TaskRow struct {
	Run    string
	Step   string
	Status string
	// Record is the digest of the task record object.
	Record   core.Digest
	CacheKey core.Digest
	ExitCode int
	Started  time.Time
	Finished time.Time
	// Outputs maps each declared output name to its file or tree digest.
	Outputs map[string]core.Digest
}

// NameRow is one canonical name binding, such as dataset "housing@2017"
// bound to a tree digest.
type NameRow struct {
	Kind string // what the name is for: "dataset", "model"...
	Name string // canonical name@version
	// Digest is what the name stands for.
	Digest core.Digest
	// Meta is the digest of the binding's metadata object (a bill of
	// materials, say), or "".
	Meta core.Digest
}

// AttestationRow indexes one subject of a stored attestation bundle.
// A bundle whose statement names several subjects has one row per subject.
type AttestationRow struct {
	// Bundle is the digest of the Sigstore bundle object in the store.
	Bundle core.Digest
	// Subject is the digest the statement is about.
	Subject       core.Digest
	SubjectName   string
	PredicateType string
	// Run is the id of the run the attestation belongs to, or "".
	Run string
	// Signer is the fingerprint of the signing key, or "" if unsigned.
	Signer  string
	Created time.Time
}

// AdvisoryImport records where the advisories of one ecosystem came from.
type AdvisoryImport struct {
	// Ecosystem is the OSV ecosystem without its release ("PyPI",
	// "Debian"), the unit an import replaces.
	Ecosystem string
	// Source is the export the advisories were read from, as given.
	Source string
	// Digest is the sha256 of the export file, or of a directory's
	// advisories in path order.
	Digest     core.Digest
	Imported   time.Time
	Advisories int
}

// AdvisoryRow is one advisory about one package.
type AdvisoryRow struct {
	Ecosystem string // as AdvisoryImport.Ecosystem
	// Package is the package name, normalised as its ecosystem compares
	// names (PEP 503 for PyPI).
	Package  string
	ID       string
	Modified time.Time
	// Data is the advisory as JSON (package osv's form).
	Data []byte
}

// AuditRow indexes one stored dependency audit report of a run.
type AuditRow struct {
	Run     string
	Report  core.Digest
	Created time.Time
}
