package maintain

import (
	"context"
	"fmt"
	"sort"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/store"
)

// CheckOptions say how deep check looks.
type CheckOptions struct {
	// SkipData checks structure only, without rehashing every object.
	SkipData bool
	// Progress is told how many objects were checked so far.
	Progress func(objects int, bytes int64)
	// Local is this machine's work and temp folders, cleaned of what dead
	// runs and commands left (zero leaves them alone).
	Local Local
}

// Problem is one thing check found wrong, with the command that repairs it.
type Problem struct {
	Kind   string `json:"kind"` // "corrupt", "missing", "catalog"
	Object string `json:"object,omitempty"`
	Detail string `json:"detail"`
	Repair string `json:"repair"`
}

// CheckReport is what check found.
type CheckReport struct {
	Objects       int       `json:"objects"`
	Bytes         int64     `json:"bytes"`
	Runs          int       `json:"runs"`
	TempRemoved   int       `json:"temp_files_removed"`
	WorkRemoved   int       `json:"work_folders_removed"`
	AbortedMarked []string  `json:"runs_marked_aborted,omitempty"`
	Problems      []Problem `json:"problems"`
}

// OK reports whether check found nothing wrong.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

// Check rehashes every object in the store (a mismatch is retried once to
// tell a transient read error from corruption) and checks the catalog
// against the store: every run and task it indexes has its record, and
// everything those records name is present.
func Check(ctx context.Context, st *store.Store, cat catalog.Catalog, opts CheckOptions) (*CheckReport, error) {
	rep := &CheckReport{Problems: []Problem{}}
	var corrupt []int // indexes of the corrupt objects' problems
	var err error
	if rep.TempRemoved, err = st.CleanTemp(time.Hour); err != nil {
		return nil, err
	}
	left, err := CleanLeftovers(ctx, cat, opts.Local, false)
	if err != nil {
		return nil, err
	}
	rep.TempRemoved += left.TempFiles
	rep.WorkRemoved = left.WorkFolders
	err = st.Walk(ctx, func(d core.Digest, size int64) error {
		rep.Objects++
		rep.Bytes += size
		if !opts.SkipData {
			if err := st.Verify(d); err != nil && st.Verify(d) != nil {
				rep.Problems = append(rep.Problems, Problem{Kind: "corrupt", Object: d.String(), Detail: err.Error(),
					Repair: "remove the object's file and re-run the run that made it (`lockstep run --force STEP`), then `lockstep check` again"})
				corrupt = append(corrupt, len(rep.Problems)-1)
			}
		}
		if opts.Progress != nil {
			opts.Progress(rep.Objects, rep.Bytes)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("walk store: %w", err)
	}
	if len(corrupt) > 0 {
		if err := datasetRepairs(ctx, st, cat, rep.Problems, corrupt); err != nil {
			return nil, err
		}
	}
	if err := checkCatalog(ctx, st, cat, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

func checkCatalog(ctx context.Context, st *store.Store, cat catalog.Catalog, rep *CheckReport) error {
	runs, err := cat.Runs(ctx, 0)
	if err != nil {
		return err
	}
	rep.Runs = len(runs)
	const rebuild = "`lockstep check --rebuild-catalog` re-indexes the runs from the store"
	for _, r := range runs {
		if r.Record != "" {
			var rec core.RunRecord
			if err := st.GetJSON(r.Record, &rec); err != nil {
				rep.Problems = append(rep.Problems, Problem{Kind: "catalog", Object: r.Record.String(),
					Detail: fmt.Sprintf("run %s: its record cannot be read: %v", r.ID, err), Repair: rebuild})
			} else if rec.ID != r.ID {
				rep.Problems = append(rep.Problems, Problem{Kind: "catalog", Object: r.Record.String(),
					Detail: fmt.Sprintf("run %s: the catalog points at the record of run %s", r.ID, rec.ID), Repair: rebuild})
			}
		}
		tasks, err := cat.Tasks(ctx, r.ID)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if t.Record != "" && !st.Has(t.Record) {
				rep.Problems = append(rep.Problems, Problem{Kind: "catalog", Object: t.Record.String(),
					Detail: fmt.Sprintf("run %s step %s: task record missing from the store", r.ID, t.Step), Repair: rebuild})
			}
		}
	}
	roots, err := cat.Roots(ctx, 0)
	if err != nil {
		return err
	}
	_, missing := mark(st, roots)
	names := make([]core.Digest, 0, len(missing))
	for d := range missing {
		names = append(names, d)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	for _, d := range names {
		detail := "referenced by the catalog"
		if from := missing[d]; from != "" {
			detail = "referenced by " + from.String()
		}
		rep.Problems = append(rep.Problems, Problem{Kind: "missing", Object: d.String(), Detail: detail,
			Repair: "re-run the run that made it with `lockstep run --force STEP`, or drop old runs with `lockstep gc --keep-last N`"})
	}
	return nil
}

// datasetRepairs gives the corrupt objects of a registered dataset (its
// tree, its bill of materials or one of its files) the repair that works:
// the object comes back by adding the dataset's files again, not by
// re-running a run.
func datasetRepairs(ctx context.Context, st *store.Store, cat catalog.Catalog, problems []Problem, corrupt []int) error {
	rows, err := cat.Names(ctx, dataset.Kind)
	if err != nil {
		return err
	}
	owner := map[string]string{} // object → NAME@VERSION
	for _, r := range rows {
		owner[r.Digest.String()], owner[r.Meta.String()] = r.Name, r.Name
		if tree, err := st.GetTree(r.Digest); err == nil {
			for _, e := range tree.Entries {
				if e.Digest != "" {
					owner[e.Digest.String()] = r.Name
				}
			}
		}
	}
	for _, i := range corrupt {
		if name, ok := owner[problems[i].Object]; ok {
			problems[i].Detail += " (dataset " + name + ")"
			problems[i].Repair = fmt.Sprintf("remove the object's file and add the dataset again from its original files "+
				"(`lockstep data add %s PATH|URL`, or `lockstep data import BOM.json --from DIR`; the same content binds to the same name), "+
				"then `lockstep check` again", name)
		}
	}
	return nil
}
