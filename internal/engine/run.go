package engine

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/provenance"
	"lockstep.dev/lockstep/internal/sandbox"
	"lockstep.dev/lockstep/internal/store"
)

// Version is the lockstep version recorded in every run; the CLI sets it.
var Version = "dev"

// InputError marks a problem with what the user gave (flow file, flags):
// the CLI exits 2 for it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Code is a project's code as a run records it: the snapshot tree and
// the git state it was taken from.
type Code struct {
	Tree core.Digest
	Git  *core.GitInfo
}

// Snapshot stores the flow file (unless the store holds its bytes) and the
// code tree of fl's folder (the
// flow's code: patterns and .gitignore applied) and reads its git state.
// The caller of Run takes it: the CLI from the working tree, the server
// from an upload. progress, if not nil, gets bytes hashed.
func (h *Home) Snapshot(ctx context.Context, fl *flow.Flow, progress func(int64)) (Code, error) {
	// A flow that is no file of the project (from stdin, or printed by a
	// Python flow file) was stored by the caller.
	if !h.Store.Has(fl.Digest) {
		d, _, err := h.Store.PutFile(ctx, fl.File)
		if err != nil {
			return Code{}, fmt.Errorf("store flow file: %w", err)
		}
		if d != fl.Digest {
			return Code{}, &InputError{fmt.Errorf("flow file %s changed while it was being read; run again", fl.File)}
		}
	}
	keep, err := capture.CodeFilter(fl.Dir, fl.Code.Include, fl.Code.Exclude)
	if err != nil {
		return Code{}, &InputError{err}
	}
	tree, _, err := h.Store.PutTree(ctx, fl.Dir, store.TreeOptions{Filter: keep, Progress: progress})
	if err != nil {
		return Code{}, fmt.Errorf("snapshot code in %s: %w", fl.Dir, err)
	}
	git, err := capture.Git(ctx, fl.Dir)
	if err != nil {
		return Code{}, fmt.Errorf("read git state: %w", err)
	}
	return Code{Tree: tree, Git: git}, nil
}

// Check refuses options that do not fit the flow (unknown steps or params,
// a bad sandbox override, a required sandbox this host lacks) with an
// *InputError, so a caller can check before it snapshots anything. Run
// checks again.
func Check(fl *flow.Flow, opts Options) error {
	_, _, err := checkOptions(fl, opts)
	return err
}

func checkOptions(fl *flow.Flow, opts Options) ([]string, map[string]sandbox.Mode, error) {
	steps := fl.Order()
	if len(opts.Steps) > 0 {
		var err error
		if steps, err = fl.Select(opts.Steps); err != nil {
			return nil, nil, &InputError{err}
		}
	}
	if err := checkParams(fl, opts.Params); err != nil {
		return nil, nil, &InputError{err}
	}
	modes, err := sandboxModes(fl, steps, opts.Sandbox)
	if err != nil {
		return nil, nil, err
	}
	err = checkSandboxEarly(modes, opts.Backend)
	if err != nil {
		return nil, nil, err
	}
	return steps, modes, nil
}

// Run executes the parsed flow fl over the code the caller snapshotted and
// returns its record. The run is recorded in the catalog before its id is
// first reported (the RunStarted event), so an id a user saw always names
// a run. A run whose steps failed returns its record with Status failed
// and a nil error; errors are for runs that could not start (an
// *InputError for bad input) or could not be recorded. The provenance of
// a succeeded run is signed with opts.Signer when there is one.
func (h *Home) Run(ctx context.Context, fl *flow.Flow, code Code, opts Options) (*core.RunRecord, error) {
	steps, modes, err := checkOptions(fl, opts)
	if err != nil {
		return nil, err
	}
	if opts.Backend == nil {
		return nil, fmt.Errorf("run %s: no backend to run its tasks (Options.Backend)", fl.Name)
	}
	if code.Tree == "" {
		return nil, fmt.Errorf("run %s: no code snapshot (take one with Snapshot)", fl.Name)
	}
	held, err := h.HoldShared(ctx)
	if err != nil {
		return nil, err
	}
	defer held.Unlock()
	if _, err := h.MarkAborted(ctx); err != nil {
		return nil, err
	}

	r := &runner{h: h, fl: fl, opts: opts, modes: modes, tasks: map[string]*core.TaskRecord{}, slots: make(chan struct{}, opts.jobs())}
	if opts.ResumeFrom != "" {
		if err := r.loadResume(ctx); err != nil {
			return nil, err
		}
	} else if opts.Seed == nil && fl.Seed == nil && !opts.FreshSeed {
		if r.resumeSeed, err = h.lastSeed(ctx, fl.Name); err != nil {
			return nil, err
		}
	}
	r.rec = &core.RunRecord{
		Type: core.RunType, ID: newRunID(), Flow: fl.Name, FlowFile: fl.Digest, FlowPath: fl.File,
		Params: mergeParams(fl.Params, opts.Params), Seed: chooseSeed(opts.Seed, fl.Seed, r.resumeSeed),
		Steps: opts.Steps, Sandbox: summariseModes(modes), Status: core.StatusRunning,
		Version: Version, Started: time.Now().UTC(), Tasks: map[string]core.Digest{},
		Reproduces: opts.Reproduces, ResumedFrom: opts.ResumeFrom, Code: code.Tree, Git: code.Git,
	}
	r.rec.Host, _ = os.Hostname()
	// A provisional record lets a rebuilt catalog know of runs that were
	// killed before they could write their final one.
	if _, err := h.Store.PutJSON(r.rec); err != nil {
		return nil, fmt.Errorf("write run record: %w", err)
	}
	if err := h.Catalog.BeginRun(ctx, catalog.RunRow{
		ID: r.rec.ID, Flow: fl.Name, Status: core.StatusRunning, Started: r.rec.Started,
		Host: r.rec.Host, PID: os.Getpid(), Code: r.rec.Code, Seed: r.rec.Seed, ResumedFrom: opts.ResumeFrom,
	}); err != nil {
		return nil, err
	}
	r.event(Event{Kind: RunStarted, Message: fl.Name})
	runErr := r.schedule(ctx, steps)
	if err := held.Err(); err != nil { // the lock was lost: gc may have removed what the run wrote
		runErr = errors.Join(runErr, err)
	}
	rec, err := r.finish(ctx, runErr)
	if err != nil || rec.Status != core.StatusSucceeded {
		return rec, err
	}
	if opts.Signer == nil {
		r.event(Event{Kind: RunUnsigned})
		return rec, nil
	}
	signed, err := provenance.Attest(context.WithoutCancel(ctx), h.Store, h.Catalog, rec,
		provenance.Options{Signer: opts.Signer, BuilderID: opts.BuilderID, TempDir: h.TempDir()})
	if err != nil {
		return rec, fmt.Errorf("sign run %s: %w", rec.ID, err)
	}
	r.event(Event{Kind: RunSigned, Message: signed.Key})
	return rec, nil
}

// finish writes the run record and indexes it.
func (r *runner) finish(ctx context.Context, runErr error) (*core.RunRecord, error) {
	rec := r.rec
	rec.Finished = time.Now().UTC()
	rec.Status = core.StatusSucceeded
	for _, t := range r.tasks {
		if t.Status == core.StatusFailed || t.Status == core.StatusSkipped {
			rec.Status = core.StatusFailed
		}
	}
	if runErr != nil {
		rec.Status, rec.Error = core.StatusFailed, runErr.Error()
		if ctx.Err() != nil {
			rec.Status, rec.Error = core.StatusAborted, "interrupted"
		}
	} else if rec.Status == core.StatusFailed {
		rec.Error = r.firstFailure()
	}
	// Record even when interrupted: the context may be cancelled already.
	bg := context.WithoutCancel(ctx)
	d, err := r.h.Store.PutJSON(rec)
	if err != nil {
		return rec, fmt.Errorf("write run record: %w", err)
	}
	if err := r.h.Catalog.FinishRun(bg, rec, d); err != nil {
		return rec, err
	}
	if runErr != nil && ctx.Err() == nil {
		return rec, runErr
	}
	return rec, nil
}

func (r *runner) firstFailure() string {
	names := make([]string, 0, len(r.tasks))
	for n := range r.tasks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if t := r.tasks[n]; t.Status == core.StatusFailed {
			return t.Error
		}
	}
	return "a step was skipped"
}

// checkParams refuses overrides of params the flow does not have.
func checkParams(fl *flow.Flow, overrides map[string]any) error {
	known := map[string]bool{}
	for k := range fl.Params {
		known[k] = true
	}
	for _, s := range fl.Steps {
		for k := range s.Params {
			known[k] = true
		}
	}
	for k := range overrides {
		if !known[k] {
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("--param %s: the flow has no param %q (its params: %s); declare it under `params:` in %s",
				k, k, strings.Join(names, ", "), fl.File)
		}
	}
	return nil
}

func mergeParams(defaults, overrides map[string]any) map[string]any {
	out := make(map[string]any, len(defaults)+len(overrides))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range overrides {
		out[k] = v
	}
	return out
}

// lastSeed returns the seed of the flow's latest run, or nil if it never ran.
func (h *Home) lastSeed(ctx context.Context, flowName string) (*int64, error) {
	rows, err := h.Catalog.Runs(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.Flow == flowName {
			seed := r.Seed
			return &seed, nil
		}
	}
	return nil, nil
}

// chooseSeed takes the flag, then the resumed (or previous) run's, then the
// flow's, then draws a fresh seed.
func chooseSeed(flag, flowSeed, resumed *int64) int64 {
	if flag != nil {
		return *flag
	}
	if resumed != nil {
		return *resumed
	}
	if flowSeed != nil {
		return *flowSeed
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:]) % (1 << 31))
}

func newRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sandboxModes decides, per step, whether it runs under bubblewrap or
// unconfined.
func sandboxModes(fl *flow.Flow, steps []string, override string) (map[string]sandbox.Mode, error) {
	switch override {
	case "", "required", "none":
	default:
		return nil, &InputError{fmt.Errorf("--sandbox %q: want required or none", override)}
	}
	modes := map[string]sandbox.Mode{}
	for _, name := range steps {
		want := fl.Sandbox
		if s := fl.Steps[name].Sandbox; s != "" {
			want = s
		}
		if override != "" {
			want = override
		}
		modes[name] = sandbox.Bubblewrap
		if want == "none" {
			modes[name] = sandbox.None
		}
	}
	return modes, nil
}

// checkSandboxEarly refuses, before anything runs, a required sandbox
// this host lacks, when the backend runs tasks on this host. It is a
// courtesy: the executor checks where the task runs, whatever the
// backend, and a task on another host is never judged by this one.
func checkSandboxEarly(modes map[string]sandbox.Mode, b backend.Backend) error {
	if b == nil || !b.Info().SameHost {
		return nil
	}
	for _, m := range modes {
		if m == sandbox.Bubblewrap {
			if err := sandbox.Available(); err != nil {
				return &InputError{fmt.Errorf("the flow requires a sandbox, but %w", err)}
			}
			return nil
		}
	}
	return nil
}

func summariseModes(modes map[string]sandbox.Mode) string {
	seen := map[sandbox.Mode]bool{}
	for _, m := range modes {
		seen[m] = true
	}
	switch {
	case len(seen) > 1:
		return "mixed"
	case seen[sandbox.None]:
		return string(sandbox.None)
	default:
		return string(sandbox.Bubblewrap)
	}
}

// jobs is the number of steps to run at once: -j, else what the backend
// can run.
func (o Options) jobs() int {
	if o.Jobs > 0 {
		return o.Jobs
	}
	return max(o.Backend.Info().Slots, 1)
}
