package engine

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/sandbox"
	"lockstep.dev/lockstep/internal/store"
)

// runner holds the state of one run while its steps execute.
type runner struct {
	h     *Home
	fl    *flow.Flow
	opts  Options
	modes map[string]sandbox.Mode
	rec   *core.RunRecord

	mu    sync.Mutex
	tasks map[string]*core.TaskRecord

	slots chan struct{} // one per task executing, opts.jobs() in all

	reuse      map[string]reusable // tasks of a resumed run that succeeded
	resumeSeed *int64

	trustOnce sync.Once
	trusted   dataset.Trust
	trustErr  error
}

type result struct {
	step string
	rec  *core.TaskRecord
	err  error
}

// schedule runs the steps as a DAG, up to opts.jobs() at once. After a
// failure nothing new starts (unless opts.KeepGoing: then only the steps
// that depend on the failed one are skipped), running steps finish, and the
// rest are recorded as skipped, each with the reason. It returns an error only for infrastructure failures
// (a task that left no record).
func (r *runner) schedule(ctx context.Context, steps []string) error {
	pending := map[string]bool{}
	for _, s := range steps {
		pending[s] = true
	}
	results := make(chan result)
	running, stopping := 0, false
	var firstErr error
	for {
		for _, s := range steps {
			if !pending[s] {
				continue
			}
			switch state, dep := r.depsState(s); state {
			case depsBlocked:
				pending[s] = false
				r.skip(ctx, s, fmt.Sprintf("needs %s, which %s", dep, r.task(dep).Status))
			case depsReady:
				if stopping || ctx.Err() != nil || running >= r.opts.jobs() {
					continue
				}
				pending[s] = false
				running++
				go func(step string) {
					rec, err := r.runStep(ctx, step)
					results <- result{step, rec, err}
				}(s)
			}
		}
		if running == 0 {
			break
		}
		res := <-results
		running--
		switch {
		case res.err != nil:
			stopping = !r.opts.KeepGoing || ctx.Err() != nil
			msg := res.err.Error()
			if ctx.Err() != nil {
				msg = "interrupted before the step finished"
			}
			if firstErr == nil {
				firstErr = fmt.Errorf("step %s: %w", res.step, res.err)
			}
			r.recordFailed(ctx, res.step, res.step, msg)
		case res.rec.Status != core.StatusSucceeded && res.rec.Status != core.StatusCached:
			stopping = !r.opts.KeepGoing
		}
	}
	for _, s := range steps {
		if pending[s] {
			why := "not started: the run stopped at the first failure (--keep-going runs independent steps on)"
			if ctx.Err() != nil {
				why = "not started: the run was interrupted"
			}
			r.skip(ctx, s, why)
		}
	}
	return firstErr
}

type depsStateKind int

const (
	depsWaiting depsStateKind = iota
	depsReady
	depsBlocked
)

// depsState says whether step can start; when it never can, it also names
// the step it depends on that did not succeed.
func (r *runner) depsState(step string) (depsStateKind, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	state := depsReady
	for _, d := range r.fl.Deps(step) {
		t, ok := r.tasks[d]
		switch {
		case !ok:
			state = depsWaiting
		case t.Status != core.StatusSucceeded && t.Status != core.StatusCached:
			return depsBlocked, d
		}
	}
	return state, ""
}

func (r *runner) setTask(step string, rec *core.TaskRecord) {
	r.mu.Lock()
	r.tasks[step] = rec
	r.mu.Unlock()
}

func (r *runner) task(step string) *core.TaskRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tasks[step]
}

// skip records a step that did not run.
func (r *runner) skip(ctx context.Context, step, why string) { r.skipTask(ctx, step, step, why) }

// skipTask records task name (a step, or an item of step) that did not run.
func (r *runner) skipTask(ctx context.Context, step, name, why string) {
	r.recordOwn(ctx, step, name, core.StatusSkipped, why)
	r.event(Event{Kind: StepDone, Step: name, Status: core.StatusSkipped, Message: why})
}

// recordFailed records task name (a step, or an item of step) whose
// execution failed without leaving a record of its own.
func (r *runner) recordFailed(ctx context.Context, step, name, why string) {
	r.recordOwn(ctx, step, name, core.StatusFailed, why)
}

func (r *runner) recordOwn(ctx context.Context, step, name, status, why string) {
	now := time.Now().UTC()
	r.record(ctx, &core.TaskRecord{Type: core.TaskType, Run: r.rec.ID, Step: name, Command: r.fl.Steps[step].Run,
		Status: status, Error: why, Started: now, Finished: now})
}

// record keeps a task record the engine wrote itself (a skipped step, or a
// step whose execution left no record), so show and the run record see it.
// Storing it is best effort: the run's outcome does not depend on it.
func (r *runner) record(ctx context.Context, rec *core.TaskRecord) {
	r.setTask(rec.Step, rec)
	d, err := r.h.Store.PutJSON(rec)
	if err != nil {
		return
	}
	if r.h.Catalog.PutTask(context.WithoutCancel(ctx), rec, d) == nil {
		r.mu.Lock()
		r.rec.Tasks[rec.Step] = d
		r.mu.Unlock()
	}
}

// runStep runs a step: its items when it has a foreach, else its one task.
func (r *runner) runStep(ctx context.Context, step string) (*core.TaskRecord, error) {
	if r.fl.Steps[step].Foreach != nil {
		return r.runForeach(ctx, step)
	}
	return r.runTask(ctx, step, nil)
}

// runTask reuses the resumed run's task, else plans one (for item it, when
// not nil) and hands its spec to the backend (whose executor reuses a
// cached result when its final key allows), then records and indexes the
// task. At most opts.jobs() tasks execute at once, items included.
func (r *runner) runTask(ctx context.Context, step string, it *itemTask) (*core.TaskRecord, error) {
	name := step
	if it != nil {
		name = it.name
	}
	start := time.Now()
	r.event(Event{Kind: StepStarted, Step: name})
	rec, d, err := r.fromResume(name)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		spec, err := r.plan(ctx, step, it)
		if err != nil {
			return nil, err
		}
		specDigest, err := r.h.Store.PutJSON(spec)
		if err != nil {
			return nil, fmt.Errorf("store task spec: %w", err)
		}
		var stdout, stderr io.Writer = io.Discard, io.Discard
		if r.opts.Logs != nil {
			stdout, stderr = r.opts.Logs(name)
		}
		select {
		case r.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		d, err = r.opts.Backend.Exec(ctx, backend.Task{Spec: specDigest, Step: name, Resources: spec.Resources, Network: spec.Network}, stdout, stderr)
		<-r.slots
		if err != nil {
			return nil, err
		}
		if rec, err = r.readRecord(d, specDigest); err != nil {
			return nil, err
		}
	}
	if err := r.h.Catalog.PutTask(context.WithoutCancel(ctx), rec, d); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.tasks[name] = rec
	r.rec.Tasks[name] = d
	r.mu.Unlock()
	r.event(Event{Kind: StepDone, Step: name, Status: rec.Status, Task: d, Duration: time.Since(start), Message: rec.Error})
	return rec, nil
}

// readRecord reads the task record a backend reported and checks that it
// is the record of the spec the engine stored, so a confused or lying
// executor cannot pass off another task's result.
func (r *runner) readRecord(d, spec core.Digest) (*core.TaskRecord, error) {
	rec := new(core.TaskRecord)
	if err := r.h.Store.GetJSON(d, rec); err != nil {
		return nil, fmt.Errorf("read task record %s: %w", d, err)
	}
	if rec.Type != core.TaskType || rec.Spec != spec || rec.Run != r.rec.ID {
		return nil, fmt.Errorf("the backend reported %s, which is not a task record of spec %s in run %s", d.Short(), spec.Short(), r.rec.ID)
	}
	return rec, nil
}

func (r *runner) event(e Event) {
	if r.opts.Events != nil {
		e.Run = r.rec.ID
		r.opts.Events(e)
	}
}

// hashing reports bytes hashed for what, as Hashing events.
func (r *runner) hashing(what string) func(int64) {
	if r.opts.Events == nil {
		return nil
	}
	var mu sync.Mutex
	var total int64
	return func(n int64) {
		mu.Lock()
		total += n
		t := total
		mu.Unlock()
		r.event(Event{Kind: Hashing, Message: what, Bytes: t})
	}
}

// storeTreeOptions is kept here so planning and snapshots hash alike.
func (r *runner) storeTreeOptions(what string) store.TreeOptions {
	return store.TreeOptions{Progress: r.hashing(what)}
}
