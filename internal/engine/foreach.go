package engine

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
)

// ItemsFile is the file at the root of every output a foreach step
// gathers: the items in order, each with the folder holding its output.
const ItemsFile = "items.json"

// itemTask is one item of a foreach step as the engine plans it.
type itemTask struct {
	name   string // the task's name, STEP[key=value,...]
	item   flow.Item
	seed   int64
	inputs map[string]core.Artifact // the entries of step outputs it fans over
}

// ItemSeed is the seed of a foreach item's task: the item's own `seed`
// value when it has an integer one in the seed range, else one derived
// from the run's seed and the task's name, so every item draws
// differently and the same item always draws alike.
func ItemSeed(runSeed int64, task string, item flow.Item) int64 {
	if v, ok := item.Map()["seed"].(int64); ok && v >= 0 && v <= math.MaxUint32 {
		return v
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "lockstep item seed\x00%d\x00%s", runSeed, task))
	return int64(binary.BigEndian.Uint32(sum[:4]))
}

// runForeach runs every item of a foreach step as a task of its own, up to
// max-parallel at once, then records the step itself: a record whose
// outputs gather the items' (see joinOutputs) and which fails when an item
// failed. After a failure, fail-fast starts no further item; otherwise
// every item runs.
func (r *runner) runForeach(ctx context.Context, step string) (*core.TaskRecord, error) {
	st := r.fl.Steps[step]
	start := time.Now()
	tasks, err := r.items(ctx, st)
	if err != nil {
		return nil, err
	}
	limit := r.opts.jobs()
	if m := st.Foreach.MaxParallel; m > 0 && m < limit {
		limit = m
	}
	recs := make([]*core.TaskRecord, len(tasks))
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed bool
	)
	free := make(chan struct{}, limit)
	for i := range tasks {
		free <- struct{}{}
		mu.Lock()
		stop := failed && st.Foreach.FailFast
		mu.Unlock()
		if stop || ctx.Err() != nil {
			<-free
			why := "not started: an item failed and the step is fail-fast"
			if ctx.Err() != nil {
				why = "not started: the run was interrupted"
			}
			r.skipTask(ctx, step, tasks[i].name, why)
			recs[i] = r.task(tasks[i].name)
			continue
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-free }()
			rec, err := r.runTask(ctx, step, &tasks[i])
			if err != nil {
				r.recordFailed(ctx, step, tasks[i].name, err.Error())
				r.event(Event{Kind: StepDone, Step: tasks[i].name, Status: core.StatusFailed, Message: err.Error()})
				rec = r.task(tasks[i].name)
			}
			mu.Lock()
			recs[i] = rec
			failed = failed || !done(rec)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return r.join(ctx, st, tasks, recs, start)
}

// done reports whether a task record stands for outputs one can use.
func done(rec *core.TaskRecord) bool {
	return rec != nil && (rec.Status == core.StatusSucceeded || rec.Status == core.StatusCached)
}

// items expands the step's foreach, reading the entries of the outputs it
// fans over.
func (r *runner) items(ctx context.Context, st *flow.Step) ([]itemTask, error) {
	names := map[string][]string{}
	arts := map[string]map[string]core.Artifact{}
	for _, k := range st.Foreach.Keys {
		if k.From == nil {
			continue
		}
		dep := r.task(k.From.Step)
		if dep == nil {
			return nil, fmt.Errorf("foreach.%s: step %s has not run", k.Name, k.From.Step)
		}
		a, ok := dep.Outputs[k.From.Output]
		if !ok || a.Kind != core.KindTree {
			return nil, fmt.Errorf("foreach.%s: step %s recorded no directory output %s", k.Name, k.From.Step, k.From.Output)
		}
		entries, err := r.entries(ctx, a.Digest, k.From.Ref())
		if err != nil {
			return nil, fmt.Errorf("foreach.%s: %w", k.Name, err)
		}
		arts[k.Name] = entries
		names[k.Name] = sortedNames(entries)
	}
	items, err := st.Items(names)
	if err != nil {
		return nil, err
	}
	tasks := make([]itemTask, len(items))
	for i, it := range items {
		name := it.TaskName(st.Name)
		t := itemTask{name: name, item: it, seed: ItemSeed(r.rec.Seed, name, it)}
		for j, key := range it.Keys {
			if byName, ok := arts[key]; ok {
				if t.inputs == nil {
					t.inputs = map[string]core.Artifact{}
				}
				t.inputs[key] = byName[it.Values[j].(string)]
			}
		}
		tasks[i] = t
	}
	return tasks, nil
}

// entries splits the stored tree d into its top-level entries: a file is a
// file artifact, a folder a tree of its own (composed from the stored
// pieces, nothing is copied).
func (r *runner) entries(ctx context.Context, d core.Digest, ref string) (map[string]core.Artifact, error) {
	tree, err := r.h.Store.GetTree(d)
	if err != nil {
		return nil, err
	}
	out := map[string]core.Artifact{}
	nested := map[string][]core.TreeEntry{}
	for _, e := range tree.Entries {
		top, rest, deeper := strings.Cut(e.Path, "/")
		switch {
		case deeper:
			e.Path = rest
			nested[top] = append(nested[top], e)
		case e.Kind == core.KindFile:
			out[top] = core.Artifact{Digest: e.Digest, Kind: core.KindFile, Size: e.Size, File: top, Source: "step:" + ref + "/" + top}
		case e.Kind == core.KindDir:
			nested[top] = nil
		default:
			return nil, fmt.Errorf("%s/%s is a %s; fan out over files and folders only", ref, top, e.Kind)
		}
	}
	for top, list := range nested {
		sub, t, err := r.h.Store.ComposeTree(ctx, list)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", ref, top, err)
		}
		out[top] = core.Artifact{Digest: sub, Kind: core.KindTree, Size: t.Size(), Source: "step:" + ref + "/" + top}
	}
	return out, nil
}

// join records the foreach step itself once its items are done: status
// failed (naming the failed items) unless every item succeeded, and for
// each declared output a folder gathering the items' (joinOutputs).
func (r *runner) join(ctx context.Context, st *flow.Step, tasks []itemTask, recs []*core.TaskRecord, start time.Time) (*core.TaskRecord, error) {
	rec := &core.TaskRecord{Type: core.TaskType, Run: r.rec.ID, Step: st.Name, Command: st.Run, Code: r.rec.Code,
		Seed: r.rec.Seed, Status: core.StatusCached, Outputs: map[string]core.Artifact{}, Started: start.UTC()}
	var bad []string
	for i, t := range tasks {
		rec.Items = append(rec.Items, t.name)
		switch {
		case !done(recs[i]):
			why := "no record"
			if recs[i] != nil {
				why = recs[i].Status
				if recs[i].Error != "" {
					why += ": " + recs[i].Error
				}
			}
			bad = append(bad, t.name+" "+why)
		case recs[i].Status == core.StatusSucceeded:
			rec.Status = core.StatusSucceeded
		}
	}
	if len(bad) > 0 {
		rec.Status = core.StatusFailed
		rec.Error = fmt.Sprintf("%d of %d items did not succeed: %s", len(bad), len(tasks), strings.Join(firstN(bad, 3), "; "))
		if len(bad) > 3 {
			rec.Error += fmt.Sprintf("; and %d more", len(bad)-3)
		}
	} else {
		var err error
		if rec.Outputs, err = r.joinOutputs(ctx, st, tasks, recs); err != nil {
			return nil, err
		}
	}
	rec.Finished = time.Now().UTC()
	d, err := r.h.Store.PutJSON(rec)
	if err != nil {
		return nil, fmt.Errorf("store the record of %s: %w", st.Name, err)
	}
	if err := r.h.Catalog.PutTask(context.WithoutCancel(ctx), rec, d); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.tasks[st.Name] = rec
	r.rec.Tasks[st.Name] = d
	r.mu.Unlock()
	r.event(Event{Kind: StepDone, Step: st.Name, Status: rec.Status, Task: d, Duration: time.Since(start), Message: rec.Error})
	return rec, nil
}

// itemEntry is one item in a gathered output's items.json.
type itemEntry struct {
	Task string         `json:"task"`
	Dir  string         `json:"dir"`
	Item map[string]any `json:"item"`
	Seed int64          `json:"seed"`
}

// joinOutputs gathers each declared output of the items into one folder:
// the items' outputs under NNN-KEY=VALUE,... folders numbered in item
// order (a file output keeps its base name inside), and items.json listing
// the items in order. A step reading STEP.OUTPUT of a foreach step reads
// this folder.
func (r *runner) joinOutputs(ctx context.Context, st *flow.Step, tasks []itemTask, recs []*core.TaskRecord) (map[string]core.Artifact, error) {
	width := len(fmt.Sprint(len(tasks) - 1))
	out := map[string]core.Artifact{}
	for _, o := range st.Outputs {
		var entries []core.TreeEntry
		index := make([]itemEntry, len(tasks))
		for i, t := range tasks {
			dir := fmt.Sprintf("%0*d-%s", width, i, t.item.Name())
			index[i] = itemEntry{Task: t.name, Dir: dir, Item: t.item.Map(), Seed: t.seed}
			a, ok := recs[i].Outputs[o.Name]
			if !ok {
				return nil, fmt.Errorf("%s recorded no output %s", t.name, o.Name)
			}
			if a.Kind != core.KindTree {
				entries = append(entries, core.TreeEntry{Path: dir + "/" + path.Base(o.Path), Kind: core.KindFile, Mode: 0o644, Size: a.Size, Digest: a.Digest})
				continue
			}
			tree, err := r.h.Store.GetTree(a.Digest)
			if err != nil {
				return nil, fmt.Errorf("output %s of %s: %w", o.Name, t.name, err)
			}
			if len(tree.Entries) == 0 {
				entries = append(entries, core.TreeEntry{Path: dir, Kind: core.KindDir, Mode: 0o755})
			}
			for _, e := range tree.Entries {
				e.Path = dir + "/" + e.Path
				entries = append(entries, e)
			}
		}
		b, err := json.MarshalIndent(index, "", "  ")
		if err != nil {
			return nil, err
		}
		b = append(b, '\n')
		d, err := r.h.Store.PutBytes(b)
		if err != nil {
			return nil, fmt.Errorf("store %s of %s: %w", ItemsFile, st.Name, err)
		}
		entries = append(entries, core.TreeEntry{Path: ItemsFile, Kind: core.KindFile, Mode: 0o644, Size: int64(len(b)), Digest: d})
		td, tree, err := r.h.Store.ComposeTree(ctx, entries)
		if err != nil {
			return nil, fmt.Errorf("gather output %s of %s: %w", o.Name, st.Name, err)
		}
		out[o.Name] = core.Artifact{Digest: td, Kind: core.KindTree, Size: tree.Size()}
	}
	return out, nil
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }

func sortedNames(m map[string]core.Artifact) []string { return slices.Sorted(maps.Keys(m)) }
