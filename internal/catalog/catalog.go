package catalog

import (
	"context"
	"errors"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrNotFound is wrapped when a run, name or other row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNameTaken is wrapped when a canonical name is already bound to
	// another digest: names are immutable.
	ErrNameTaken = errors.New("name already bound")
	// ErrRunExists is wrapped by BeginRun when the run id is already used.
	ErrRunExists = errors.New("run id already used")
	// ErrAmbiguous is wrapped by ResolveRun when a prefix matches several runs.
	ErrAmbiguous = errors.New("ambiguous run prefix")
	// ErrNewerSchema is wrapped when opening a database that a newer
	// lockstep migrated.
	ErrNewerSchema = errors.New("catalog schema is newer than this lockstep")
)

// Catalog is the index of what the store holds. Every implementation
// passes the contract suite in catalog/catalogtest.
//
// A Catalog is safe for use by many goroutines, and several processes may
// open the same database at once. Every write is atomic and durable when
// it returns; a database that is busy with another writer is waited for,
// never reported to the caller. Methods validate their input (digests,
// times in the range years 1678 to 2261, required fields) before touching
// the database, with the same errors in every implementation (see the
// Check functions).
type Catalog interface {
	// BeginRun inserts run r with status running, ignoring r.Status,
	// r.Record and r.Finished. It fails with ErrRunExists if the id is
	// taken.
	BeginRun(ctx context.Context, r RunRow) error
	// FinishRun inserts or updates the run described by its final record
	// rec, stored as recDigest. It keeps the PID BeginRun wrote. A rebuild
	// calls it for every run record in the store.
	FinishRun(ctx context.Context, rec *core.RunRecord, recDigest core.Digest) error
	// SetRunStatus records a run's outcome without a record, e.g. when it
	// is found aborted. A zero finished time leaves the run unfinished. It
	// fails with ErrNotFound if there is no such run.
	SetRunStatus(ctx context.Context, id, status, errMsg string, finished time.Time) error
	// Run returns the run with exactly this id, or an error wrapping
	// ErrNotFound.
	Run(ctx context.Context, id string) (*RunRow, error)
	// Runs returns the newest limit runs (by start time, then id), newest
	// first; all runs if limit <= 0.
	Runs(ctx context.Context, limit int) ([]RunRow, error)
	// RunsWithOutputs returns the runs Runs(ctx, limit) returns, in the
	// same order, each with the outputs of its tasks (as Tasks gives
	// them), in one query however many runs there are.
	RunsWithOutputs(ctx context.Context, limit int) ([]RunOutputs, error)
	// RunningRuns returns every run whose status is running, oldest first.
	// Whether its process still lives (by Host and PID) is for the caller
	// to decide.
	RunningRuns(ctx context.Context) ([]RunRow, error)
	// ResolveRun turns a user's run reference into a full run id. ref may
	// be a full id, a prefix matching exactly one run (compared exactly:
	// case matters and no character is a wildcard), or LastRun for the
	// newest started run. A prefix matching several runs fails with
	// ErrAmbiguous and lists up to MaxCandidates of them, newest first; no
	// match fails with ErrNotFound. PickRun words these errors.
	ResolveRun(ctx context.Context, ref string) (string, error)

	// PutTask inserts or replaces the task (rec.Run, rec.Step) from its
	// record rec, stored as recDigest, together with its outputs. Only
	// succeeded tasks are found by CacheLookup.
	PutTask(ctx context.Context, rec *core.TaskRecord, recDigest core.Digest) error
	// Tasks returns the tasks of run runID in the order they started
	// (tasks not started yet last, then by step), with their outputs. An
	// unknown run has no tasks.
	Tasks(ctx context.Context, runID string) ([]TaskRow, error)
	// CacheLookup returns the record digest of the newest (by finish time)
	// succeeded task with cache key key, and whether there is one. The
	// empty key matches nothing.
	CacheLookup(ctx context.Context, key core.Digest) (core.Digest, bool, error)

	// BindName binds the canonical name of the given kind to digest d with
	// metadata meta, forever. Binding the same name to the same digest and
	// meta again does nothing; any other binding fails with an error
	// wrapping ErrNameTaken that shows both (see NameTaken).
	BindName(ctx context.Context, kind, name string, d, meta core.Digest) error
	// Name returns the digest and metadata digest bound to the canonical
	// name of the given kind, or an error wrapping ErrNotFound.
	Name(ctx context.Context, kind, name string) (d, meta core.Digest, err error)
	// Names returns the bindings of one kind sorted by name, or of every
	// kind (sorted by kind, then name) when kind is "".
	Names(ctx context.Context, kind string) ([]NameRow, error)

	// PutAttestation indexes a. Putting the same (bundle, subject) again
	// does nothing.
	PutAttestation(ctx context.Context, a AttestationRow) error
	// Attestations returns the attestations about subject, oldest first
	// (undated ones first), then by bundle and subject.
	Attestations(ctx context.Context, subject core.Digest) ([]AttestationRow, error)
	// RunAttestations returns the attestations of run runID, in the order
	// of Attestations.
	RunAttestations(ctx context.Context, runID string) ([]AttestationRow, error)
	// AllAttestations returns every attestation row, in the order of
	// Attestations (a copy of the catalog reads them all).
	AllAttestations(ctx context.Context) ([]AttestationRow, error)

	// ImportAdvisories replaces, atomically, the advisories of every
	// ecosystem in imports with rows, and records each import. Every row's
	// ecosystem must be one of the imports'; an ecosystem not in imports
	// keeps its advisories.
	ImportAdvisories(ctx context.Context, imports []AdvisoryImport, rows []AdvisoryRow) error
	// AdvisoryImports returns the latest import of each ecosystem, sorted
	// by ecosystem; none when no advisories were ever imported.
	AdvisoryImports(ctx context.Context) ([]AdvisoryImport, error)
	// Advisories returns the advisories of ecosystem about any of the
	// packages, sorted by package, then id.
	Advisories(ctx context.Context, ecosystem string, packages []string) ([]AdvisoryRow, error)
	// PutAudit indexes a run's dependency audit report. Putting the same
	// (run, report) again does nothing.
	PutAudit(ctx context.Context, a AuditRow) error
	// Audits returns the audit reports of run runID, oldest first, then by
	// report digest.
	Audits(ctx context.Context, runID string) ([]AuditRow, error)

	// Roots returns the digests garbage collection must keep, the starting
	// points of mark and sweep, sorted and without duplicates:
	//   - the record digests of the kept runs: every run when keepLast <= 0,
	//     else the newest keepLast runs that are not running plus every
	//     running run; for a kept run without a record (running or
	//     aborted), the record digests of its tasks instead;
	//   - when keepLast <= 0, also the records of tasks whose run is not in
	//     the catalog (a rebuild of a run that never wrote its record);
	//   - every name's digest and metadata digest;
	//   - every attestation bundle;
	//   - every dependency audit report.
	Roots(ctx context.Context, keepLast int) ([]core.Digest, error)
	// DeleteRun removes run id with its tasks, their outputs, the run's
	// attestations and audit reports, atomically (garbage collection of dropped runs). It
	// fails with ErrNotFound if there was nothing of the run to delete.
	DeleteRun(ctx context.Context, id string) error
	// Reset empties the catalog atomically, keeping its schema and the
	// imported advisories (which the store does not hold); a rebuild from
	// the store starts here.
	Reset(ctx context.Context) error

	// Close releases the database. Writes already returned are durable.
	Close() error
}
