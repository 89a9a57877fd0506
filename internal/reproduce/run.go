package reproduce

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/store"
)

// Run is a finished run read back from the store: its record and the record
// of each of its tasks.
type Run struct {
	// Digest names the run record.
	Digest core.Digest
	Record *core.RunRecord
	// Tasks maps a step to its task record.
	Tasks map[string]*core.TaskRecord
}

// ErrNoRecord is wrapped by LoadRun for a run that never wrote its final
// record (it is still running, or was killed).
var ErrNoRecord = errors.New("the run has no record yet")

// LoadRun resolves ref (a run id, a unique prefix or "last") in the catalog
// and reads the run's records from the store. A run that has no final
// record yet (still running, or killed) cannot be compared and is an error.
func LoadRun(ctx context.Context, st *store.Store, cat catalog.Catalog, ref string) (*Run, error) {
	id, err := cat.ResolveRun(ctx, ref)
	if err != nil {
		return nil, err
	}
	row, err := cat.Run(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	if row.Record == "" {
		return nil, fmt.Errorf("run %s (status %s): %w; wait for it to finish", id, row.Status, ErrNoRecord)
	}
	return ReadRun(st, row.Record)
}

// ReadRun reads the run record d and its task records from the store.
func ReadRun(st *store.Store, d core.Digest) (*Run, error) {
	r := &Run{Digest: d, Record: new(core.RunRecord), Tasks: map[string]*core.TaskRecord{}}
	if err := st.GetJSON(d, r.Record); err != nil {
		return nil, fmt.Errorf("read run record %s: %w", d, err)
	}
	if r.Record.Type != core.RunType {
		return nil, fmt.Errorf("read run record %s: type %q, want %q", d, r.Record.Type, core.RunType)
	}
	for step, td := range r.Record.Tasks {
		t := new(core.TaskRecord)
		if err := st.GetJSON(td, t); err != nil {
			return nil, fmt.Errorf("read task record %s of run %s: %w", step, r.Record.ID, err)
		}
		r.Tasks[step] = t
	}
	return r, nil
}

// Flow parses the run's flow file from the store (without looking at any
// project folder), for tolerances and the DAG; nil when it cannot be read.
func (r *Run) Flow(st *store.Store) *flow.Flow {
	b, err := st.ReadBytes(r.Record.FlowFile)
	if err != nil {
		return nil
	}
	fl, err := flow.Parse(r.Record.FlowPath, b, "")
	if err != nil {
		return nil
	}
	return fl
}

// order returns the steps of both runs so that each comes after the steps
// whose outputs it read (as the task records say), ties broken by name.
func order(runs ...*Run) []string {
	deps := map[string]map[string]bool{}
	for _, r := range runs {
		for step, t := range r.Tasks {
			if deps[step] == nil {
				deps[step] = map[string]bool{}
			}
			for _, in := range t.Inputs {
				if dep, ok := stepOf(in.Source); ok && dep != step {
					deps[step][dep] = true
				}
			}
		}
	}
	var out []string
	done := map[string]bool{}
	for len(done) < len(deps) {
		var ready []string
		for step, ds := range deps {
			if done[step] {
				continue
			}
			ok := true
			for d := range ds {
				if _, known := deps[d]; known && !done[d] {
					ok = false
				}
			}
			if ok {
				ready = append(ready, step)
			}
		}
		if len(ready) == 0 { // a cycle cannot come from the engine; keep going by name
			for step := range deps {
				if !done[step] {
					ready = append(ready, step)
				}
			}
		}
		sort.Strings(ready)
		done[ready[0]] = true
		out = append(out, ready[0])
	}
	return out
}

// stepOf returns the step an input came from ("step:prepare.train" gives
// "prepare").
func stepOf(source string) (string, bool) {
	ref, ok := strings.CutPrefix(source, "step:")
	if !ok {
		return "", false
	}
	step, _, _ := core.SplitRef(ref)
	return step, true
}
