package query

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// InputError is an error in what the user asked for: a run reference, a
// step or an output that names nothing. Its message says what exists.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(format string, args ...any) error {
	return &InputError{fmt.Errorf(format, args...)}
}

// Run is a run read back for showing: its record and the records of the
// tasks that have one, by step.
type Run struct {
	// Record is the run record. A run still in progress has none yet: its
	// catalog row is turned into a partial record.
	Record *core.RunRecord
	// RecordDigest names the stored run record; "" while the run has none.
	RecordDigest core.Digest
	Tasks        map[string]*core.TaskRecord
}

// LoadRun resolves ref (a run id, a unique prefix or "last") and reads the
// run's record and its tasks' records. An unresolvable ref is an
// *InputError.
func LoadRun(ctx context.Context, st *store.Store, cat catalog.Catalog, ref string) (*Run, error) {
	id, err := cat.ResolveRun(ctx, ref)
	if err != nil {
		return nil, &InputError{err}
	}
	row, err := cat.Run(ctx, id)
	if err != nil {
		return nil, err
	}
	rec := &core.RunRecord{ID: row.ID, Flow: row.Flow, Status: row.Status, Error: row.Error, Started: row.Started,
		Finished: row.Finished, Code: row.Code, Seed: row.Seed, Host: row.Host, Tasks: map[string]core.Digest{}}
	if row.Record != "" {
		rec = new(core.RunRecord)
		if err := st.GetJSON(row.Record, rec); err != nil {
			return nil, fmt.Errorf("read run record: %w", err)
		}
		rec.Status, rec.Error = row.Status, row.Error
	}
	rows, err := cat.Tasks(ctx, id)
	if err != nil {
		return nil, err
	}
	tasks := map[string]*core.TaskRecord{}
	for _, t := range rows {
		if t.Record == "" {
			continue
		}
		tr := new(core.TaskRecord)
		if err := st.GetJSON(t.Record, tr); err != nil {
			return nil, fmt.Errorf("read task record %s: %w", t.Step, err)
		}
		tasks[t.Step] = tr
		rec.Tasks[t.Step] = t.Record
	}
	return &Run{Record: rec, RecordDigest: row.Record, Tasks: tasks}, nil
}

// Steps returns the run's steps in the order they started (ties by name).
func (r *Run) Steps() []string {
	steps := sortedKeys(r.Tasks)
	sort.SliceStable(steps, func(i, j int) bool {
		return r.Tasks[steps[i]].Started.Before(r.Tasks[steps[j]].Started)
	})
	return steps
}

// Select returns the steps to show: all of them in start order when step
// is "", else just step. An unknown step is an *InputError listing the
// run's steps.
func (r *Run) Select(step string) ([]string, error) {
	if step == "" {
		return r.Steps(), nil
	}
	if _, ok := r.Tasks[step]; !ok {
		return nil, inputErrorf("run %s has no step %q (steps: %v)", r.Record.ID, step, r.Steps())
	}
	return []string{step}, nil
}

// Artifact returns what target names in the run: "code" for the code
// snapshot it ran, or STEP.OUTPUT for an output. A target that names
// nothing is an *InputError listing what there is.
func (r *Run) Artifact(target string) (core.Artifact, error) {
	if target == "code" {
		return core.Artifact{Digest: r.Record.Code, Kind: core.KindTree}, nil
	}
	step, out, ok := core.SplitRef(target)
	t := r.Tasks[step]
	if !ok || t == nil {
		return core.Artifact{}, inputErrorf("TARGET %q: want STEP.OUTPUT or code (steps of run %s: %v)", target, r.Record.ID, r.Steps())
	}
	a, ok := t.Outputs[out]
	if !ok {
		return core.Artifact{}, inputErrorf("step %s of run %s has no output %q (outputs: %v)", step, r.Record.ID, out, sortedKeys(t.Outputs))
	}
	return a, nil
}

// loadSteps is LoadRun and Select: the run and the steps to show.
func loadSteps(ctx context.Context, st *store.Store, cat catalog.Catalog, ref, step string) (*Run, []string, error) {
	run, err := LoadRun(ctx, st, cat, ref)
	if err != nil {
		return nil, nil, err
	}
	steps, err := run.Select(step)
	return run, steps, err
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
