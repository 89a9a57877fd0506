package catalog

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// CopyReport says what Copy did: how many rows of each kind it wrote, how
// many were there already (skipped), and how many it then found in the
// destination exactly as in the source (verified).
type CopyReport struct {
	Runs         CopyCount `json:"runs"`
	Tasks        CopyCount `json:"tasks"`
	Names        CopyCount `json:"names"`
	Attestations CopyCount `json:"attestations"`
	Audits       CopyCount `json:"audits"`
}

// CopyCount counts one kind of row.
type CopyCount struct {
	Copied   int `json:"copied"`
	Skipped  int `json:"skipped"`
	Verified int `json:"verified"`
}

// Copy copies every run (with its tasks and dependency audits), name and
// attestation of from
// into to, through the same methods a run uses, so the destination may be
// any implementation and may already hold rows of its own (a team catalog
// that several laptops move into). It is resumable: a row the destination
// already has, equal, is skipped, so running Copy again after an
// interruption finishes the job. At the end it reads everything back from
// both and fails, naming the first difference, unless every row of from
// is in to exactly. Copy only reads from; it does not hold the store lock,
// so the caller copies a catalog no run is writing.
func Copy(ctx context.Context, from, to Catalog) (*CopyReport, error) {
	rep := &CopyReport{}
	if err := copyNames(ctx, from, to, &rep.Names); err != nil {
		return rep, err
	}
	if err := copyAttestations(ctx, from, to, &rep.Attestations); err != nil {
		return rep, err
	}
	runs, err := from.Runs(ctx, 0)
	if err != nil {
		return rep, err
	}
	for _, r := range runs {
		if err := copyRun(ctx, from, to, r, rep); err != nil {
			return rep, err
		}
		if err := copyAudits(ctx, from, to, r.ID, &rep.Audits); err != nil {
			return rep, err
		}
	}
	return rep, verify(ctx, from, to, rep)
}

// copyNames binds in to every name of from; a name bound to something
// else there is an error.
func copyNames(ctx context.Context, from, to Catalog, n *CopyCount) error {
	names, err := from.Names(ctx, "")
	if err != nil {
		return err
	}
	for _, nm := range names {
		d, meta, err := to.Name(ctx, nm.Kind, nm.Name)
		switch {
		case err == nil && d == nm.Digest && meta == nm.Meta:
			n.Skipped++
			continue
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		if err := to.BindName(ctx, nm.Kind, nm.Name, nm.Digest, nm.Meta); err != nil {
			return fmt.Errorf("copy catalog: %w", err)
		}
		n.Copied++
	}
	return nil
}

// copyAttestations puts in to every attestation of from it lacks.
func copyAttestations(ctx context.Context, from, to Catalog, n *CopyCount) error {
	missing, total, err := missingAttestations(ctx, from, to)
	if err != nil {
		return err
	}
	for _, a := range missing {
		if err := to.PutAttestation(ctx, a); err != nil {
			return err
		}
	}
	n.Copied, n.Skipped = len(missing), total-len(missing)
	return nil
}

// missingAttestations returns the attestations of from that to lacks, and
// how many from has.
func missingAttestations(ctx context.Context, from, to Catalog) ([]AttestationRow, int, error) {
	src, err := from.AllAttestations(ctx)
	if err != nil {
		return nil, 0, err
	}
	have, err := attestationSet(ctx, to)
	if err != nil {
		return nil, 0, err
	}
	var missing []AttestationRow
	for _, a := range src {
		if !have[keyOf(a)] {
			missing = append(missing, a)
		}
	}
	return missing, len(src), nil
}

// copyAudits puts in to the dependency audits of run id it lacks.
func copyAudits(ctx context.Context, from, to Catalog, id string, n *CopyCount) error {
	src, err := from.Audits(ctx, id)
	if err != nil {
		return err
	}
	have, err := to.Audits(ctx, id)
	if err != nil {
		return err
	}
	for _, a := range src {
		if slices.ContainsFunc(have, func(h AuditRow) bool { return h.Report == a.Report }) {
			n.Skipped++
			continue
		}
		if err := to.PutAudit(ctx, a); err != nil {
			return err
		}
		n.Copied++
	}
	return nil
}

// copyRun writes run r and its tasks into to, unless to has them all
// already. The run is begun first (keeping its host and PID), its tasks
// put, and only then is it finished, so an interrupted copy leaves a run
// that the next one completes.
func copyRun(ctx context.Context, from, to Catalog, r RunRow, rep *CopyReport) error {
	tasks, err := from.Tasks(ctx, r.ID)
	if err != nil {
		return err
	}
	have, err := to.Run(ctx, r.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	haveTasks, err := to.Tasks(ctx, r.ID)
	if err != nil {
		return err
	}
	if have != nil && sameRun(*have, r) && sameTasks(haveTasks, tasks) {
		rep.Runs.Skipped++
		rep.Tasks.Skipped += len(tasks)
		return nil
	}
	if have == nil {
		if err := to.BeginRun(ctx, r); err != nil {
			return err
		}
	}
	for _, t := range tasks {
		if err := to.PutTask(ctx, taskRecord(t), t.Record); err != nil {
			return err
		}
		rep.Tasks.Copied++
	}
	switch {
	case r.Record != "":
		err = to.FinishRun(ctx, runRecord(r), r.Record)
	case r.Status != core.StatusRunning || have != nil:
		err = to.SetRunStatus(ctx, r.ID, r.Status, r.Error, r.Finished)
	}
	if err != nil {
		return err
	}
	rep.Runs.Copied++
	return nil
}

// verify reads back what Copy wrote and checks that every row of from is
// in to, equal.
func verify(ctx context.Context, from, to Catalog, rep *CopyReport) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("copy catalog: verify: "+format+"; run the copy again", args...)
	}
	runs, err := from.Runs(ctx, 0)
	if err != nil {
		return err
	}
	for _, r := range runs {
		got, err := to.Run(ctx, r.ID)
		if err != nil {
			return fail("run %s: %v", r.ID, err)
		}
		if !sameRun(*got, r) {
			return fail("run %s differs: %+v, want %+v", r.ID, *got, r)
		}
		want, err := from.Tasks(ctx, r.ID)
		if err != nil {
			return err
		}
		tasks, err := to.Tasks(ctx, r.ID)
		if err != nil {
			return err
		}
		if !sameTasks(tasks, want) {
			return fail("the tasks of run %s differ", r.ID)
		}
		rep.Runs.Verified++
		rep.Tasks.Verified += len(want)
		wantAudits, err := from.Audits(ctx, r.ID)
		if err != nil {
			return err
		}
		audits, err := to.Audits(ctx, r.ID)
		if err != nil {
			return err
		}
		for _, a := range wantAudits {
			if !slices.ContainsFunc(audits, func(h AuditRow) bool { return h.Report == a.Report && h.Created.Equal(a.Created) }) {
				return fail("dependency audit %s of run %s is missing", a.Report, r.ID)
			}
			rep.Audits.Verified++
		}
	}
	names, err := from.Names(ctx, "")
	if err != nil {
		return err
	}
	for _, nm := range names {
		d, meta, err := to.Name(ctx, nm.Kind, nm.Name)
		if err != nil || d != nm.Digest || meta != nm.Meta {
			return fail("%s %s is bound to %s (meta %s, %v), want %s (meta %s)", nm.Kind, nm.Name, d, meta, err, nm.Digest, nm.Meta)
		}
		rep.Names.Verified++
	}
	missing, total, err := missingAttestations(ctx, from, to)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fail("attestation %s about %s is missing", missing[0].Bundle, missing[0].Subject)
	}
	rep.Attestations.Verified = total
	return nil
}

// attestationKey is an attestation row with its time as Unix nanoseconds,
// comparable with ==.
type attestationKey struct {
	row     AttestationRow
	created int64
}

// keyOf returns a's attestationKey.
func keyOf(a AttestationRow) attestationKey {
	var n int64
	if !a.Created.IsZero() {
		n = a.Created.UnixNano()
	}
	a.Created = time.Time{}
	return attestationKey{a, n}
}

// attestationSet is every attestation of c, by key.
func attestationSet(ctx context.Context, c Catalog) (map[attestationKey]bool, error) {
	rows, err := c.AllAttestations(ctx)
	if err != nil {
		return nil, err
	}
	set := make(map[attestationKey]bool, len(rows))
	for _, a := range rows {
		set[keyOf(a)] = true
	}
	return set, nil
}

// sameRun reports whether two rows describe the same run.
func sameRun(a, b RunRow) bool {
	return a.Started.Equal(b.Started) && a.Finished.Equal(b.Finished) &&
		a.ID == b.ID && a.Flow == b.Flow && a.Status == b.Status && a.Error == b.Error && a.Record == b.Record &&
		a.Host == b.Host && a.PID == b.PID && a.Code == b.Code && a.Seed == b.Seed && a.ResumedFrom == b.ResumedFrom
}

// sameTasks reports whether two lists of a run's tasks are equal.
func sameTasks(a, b []TaskRow) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if !x.Started.Equal(y.Started) || !x.Finished.Equal(y.Finished) || x.Run != y.Run || x.Step != y.Step ||
			x.Status != y.Status || x.Record != y.Record || x.CacheKey != y.CacheKey || x.ExitCode != y.ExitCode ||
			!maps.Equal(x.Outputs, y.Outputs) {
			return false
		}
	}
	return true
}

// runRecord is the part of a run record FinishRun indexes, from its row.
func runRecord(r RunRow) *core.RunRecord {
	return &core.RunRecord{
		Type: core.RunType, ID: r.ID, Flow: r.Flow, Status: r.Status, Error: r.Error, Started: r.Started,
		Finished: r.Finished, Host: r.Host, Code: r.Code, Seed: r.Seed, ResumedFrom: r.ResumedFrom,
	}
}

// taskRecord is the part of a task record PutTask indexes, from its row.
func taskRecord(t TaskRow) *core.TaskRecord {
	rec := &core.TaskRecord{
		Type: core.TaskType, Run: t.Run, Step: t.Step, Status: t.Status, CacheKey: t.CacheKey,
		ExitCode: t.ExitCode, Started: t.Started, Finished: t.Finished, Outputs: map[string]core.Artifact{},
	}
	for name, d := range t.Outputs {
		rec.Outputs[name] = core.Artifact{Digest: d}
	}
	return rec
}
