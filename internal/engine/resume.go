package engine

import (
	"context"
	"fmt"

	"lockstep.dev/lockstep/internal/core"
)

// reusable is a task of the resumed run that succeeded.
type reusable struct {
	rec    *core.TaskRecord
	digest core.Digest
}

// loadResume reads the run to continue: its succeeded tasks, its seed, and
// its params (flags still override them).
func (r *runner) loadResume(ctx context.Context) error {
	id := r.opts.ResumeFrom
	row, err := r.h.Catalog.Run(ctx, id)
	if err != nil {
		return &InputError{fmt.Errorf("resume %s: %w", id, err)}
	}
	if row.Status == core.StatusSucceeded || row.Status == core.StatusRunning {
		return &InputError{fmt.Errorf("resume %s: the run %s; only a failed or aborted run can be resumed", id, row.Status)}
	}
	if row.Flow != r.fl.Name {
		return &InputError{fmt.Errorf("resume %s: it ran flow %q, not %q (%s)", id, row.Flow, r.fl.Name, r.fl.File)}
	}
	seed := row.Seed
	r.resumeSeed = &seed
	if row.Record != "" {
		var old core.RunRecord
		if err := r.h.Store.GetJSON(row.Record, &old); err != nil {
			return fmt.Errorf("resume %s: read run record: %w", id, err)
		}
		for k, v := range old.Params {
			if _, set := r.opts.Params[k]; !set {
				if r.opts.Params == nil {
					r.opts.Params = map[string]any{}
				}
				r.opts.Params[k] = v
			}
		}
	}
	rows, err := r.h.Catalog.Tasks(ctx, id)
	if err != nil {
		return err
	}
	r.reuse = map[string]reusable{}
	for _, t := range rows {
		if t.Status != core.StatusSucceeded && t.Status != core.StatusCached {
			continue
		}
		rec := new(core.TaskRecord)
		if err := r.h.Store.GetJSON(t.Record, rec); err != nil {
			continue // a lost record only costs a re-run
		}
		r.reuse[t.Step] = reusable{rec, t.Record}
	}
	return nil
}

// fromResume reuses the resumed run's task for a step, if it succeeded and
// its outputs are still in the store.
func (r *runner) fromResume(step string) (*core.TaskRecord, core.Digest, error) {
	old, ok := r.reuse[step]
	if !ok {
		return nil, "", nil
	}
	for _, a := range old.rec.Outputs {
		if !r.h.Store.Has(a.Digest) {
			return nil, "", nil
		}
	}
	origin := old.digest
	if old.rec.CachedFrom != "" {
		origin = old.rec.CachedFrom
	}
	return r.reuseRecord(old.rec, origin, nil)
}
