package engine

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/review"
	"lockstep.dev/lockstep/internal/scan"
	"lockstep.dev/lockstep/internal/task"
)

// plan turns a step whose dependencies are done into a task spec with its
// plan key: the step's one task, or its item it when not nil. The
// environment is no part of it: the executor captures its own and makes
// the final key (task.FinalKey).
func (r *runner) plan(ctx context.Context, step string, it *itemTask) (*core.TaskSpec, error) {
	st := r.fl.Steps[step]
	inputs, err := r.resolveInputs(ctx, st)
	if err != nil {
		return nil, err
	}
	name, seed := step, r.rec.Seed
	var item map[string]any
	if it != nil {
		name, seed, item = it.name, it.seed, it.item.Map()
		maps.Copy(inputs, it.inputs)
	}
	code, err := r.stepCode(step)
	if err != nil {
		return nil, err
	}
	spec := &core.TaskSpec{
		Type: core.TaskSpecType, Run: r.rec.ID, Step: name, Command: st.Run, Code: code,
		Inputs: inputs, Params: r.fl.ResolveParams(step, r.opts.Params), Seed: seed, Item: item,
		Env: st.Env, Secrets: st.Secrets, Sandbox: string(r.modes[step]), Network: st.Network,
		Paths: r.fl.Environment.Paths, Formats: r.fl.Formats,
	}
	for _, o := range st.Outputs {
		spec.Outputs = append(spec.Outputs, core.TaskOutput{Name: o.Name, Path: o.Path, Kind: o.Kind})
	}
	spec.Resources = core.Resources{CPUs: st.Resources.CPUs, MemoryBytes: st.Resources.MemoryBytes,
		GPUs: st.Resources.GPUs, TimeSeconds: int64(st.Resources.Time.Seconds())}
	spec.ArchiveEnv = r.opts.ArchiveEnv || r.fl.Environment.Archive
	if spec.Restore, err = r.restoreFor(ctx, name); err != nil {
		return nil, err
	}
	spec.NoCache = r.opts.NoCache || slices.Contains(r.opts.Force, step)
	if spec.PlanKey, err = planKey(r.h.Store, spec); err != nil {
		return nil, err
	}
	return spec, nil
}

// resolveInputs turns each declared input into a digest: project paths are
// hashed into the store, step outputs come from the dependency's record.
func (r *runner) resolveInputs(ctx context.Context, st *flow.Step) (map[string]core.Artifact, error) {
	out := make(map[string]core.Artifact, len(st.Inputs))
	for _, in := range st.Inputs {
		switch in.Kind {
		case flow.InputPath:
			a, err := r.ingestPath(ctx, in)
			if err != nil {
				return nil, err
			}
			out[in.Name] = a
		case flow.InputStep:
			dep := r.task(in.Step)
			if dep == nil {
				return nil, fmt.Errorf("input %s: step %s has not run", in.Name, in.Step)
			}
			a, ok := dep.Outputs[in.Output]
			if !ok {
				return nil, fmt.Errorf("input %s: step %s recorded no output %s", in.Name, in.Step, in.Output)
			}
			a.Source = "step:" + in.Ref()
			out[in.Name] = a
		case flow.InputDataset:
			trust, err := r.trust()
			if err != nil {
				return nil, err
			}
			res, err := dataset.Resolve(ctx, r.h.Store, r.h.Catalog, in.Dataset+"@"+in.Version, r.rec.Code, trust)
			if err != nil {
				return nil, fmt.Errorf("input %s: %w", in.Name, err)
			}
			a := res.Artifact
			a.BOM = res.BOM
			out[in.Name] = a
		}
	}
	return out, nil
}

// ingestPath hashes a project file or directory into the store (the hash
// cache makes this nearly free when nothing changed).
func (r *runner) ingestPath(ctx context.Context, in flow.Input) (core.Artifact, error) {
	p := filepath.Join(r.fl.Dir, filepath.FromSlash(in.Path))
	fi, err := os.Stat(p)
	if err != nil {
		return core.Artifact{}, &InputError{fmt.Errorf("%s:%d: input %s: %w", r.fl.File, in.Line, in.Name, err)}
	}
	a := core.Artifact{Source: "path:" + in.Path}
	if fi.IsDir() {
		// The task scans its inputs by the verdicts remembered for their
		// bytes: those of the files read here are found there already.
		memo := r.h.Store.Memo("scan")
		opts := r.storeTreeOptions(in.Path)
		opts.Content = scan.NewCache(memo, task.ScanOptions(r.fl.Formats)).ScanWhole(ctx)
		d, tree, err := r.h.Store.PutTree(ctx, p, opts)
		if err == nil {
			err = memo.Save()
		}
		if err != nil {
			return a, fmt.Errorf("input %s: %w", in.Name, err)
		}
		a.Digest, a.Kind, a.Size = d, core.KindTree, tree.Size()
		return a, nil
	}
	d, n, err := r.h.Store.PutFile(ctx, p)
	if err != nil {
		return a, fmt.Errorf("input %s: %w", in.Name, err)
	}
	a.Digest, a.Kind, a.Size, a.File = d, core.KindFile, n, filepath.Base(p)
	return a, nil
}

// reuseRecord records, for this run, a task whose outputs are taken from
// the task record origin; inputs, when given, are this run's (their sources
// may differ from the original's).
func (r *runner) reuseRecord(old *core.TaskRecord, origin core.Digest, inputs map[string]core.Artifact) (*core.TaskRecord, core.Digest, error) {
	now := time.Now().UTC()
	rec := *old
	rec.Run, rec.Status, rec.CachedFrom = r.rec.ID, core.StatusCached, origin
	if inputs != nil {
		rec.Inputs = inputs
	}
	rec.Started, rec.Finished = now, now
	d, err := r.h.Store.PutJSON(&rec)
	if err != nil {
		return nil, "", err
	}
	return &rec, d, nil
}

// restoreFor returns the archived environment of the step in the run named
// by RestoreEnvFrom.
func (r *runner) restoreFor(ctx context.Context, step string) (map[string]core.Digest, error) {
	if r.opts.RestoreEnvFrom == "" {
		return nil, nil
	}
	rows, err := r.h.Catalog.Tasks(ctx, r.opts.RestoreEnvFrom)
	if err != nil {
		return nil, err
	}
	for _, t := range rows {
		if t.Step != step || t.Record == "" {
			continue
		}
		var old core.TaskRecord
		if err := r.h.Store.GetJSON(t.Record, &old); err != nil {
			return nil, fmt.Errorf("restore the environment of %s: %w", step, err)
		}
		if len(old.Toolchain) == 0 {
			return nil, &InputError{fmt.Errorf("run %s did not archive the environment of step %s: runs archive it with `environment: {archive: true}` or `lockstep run --archive-env`", r.opts.RestoreEnvFrom, step)}
		}
		for _, d := range old.Toolchain {
			if !r.h.Store.Has(d) {
				return nil, fmt.Errorf("restore the environment of %s: archived tree %s is missing from the store", step, d)
			}
		}
		return old.Toolchain, nil
	}
	return nil, nil
}

// trust loads, once per run, the flow's trusted data producers and reviewers.
func (r *runner) trust() (dataset.Trust, error) {
	r.trustOnce.Do(func() {
		load := func(role string) []*attest.PublicKey {
			var keys []*attest.PublicKey
			for _, p := range r.fl.Trust[role] {
				if !filepath.IsAbs(p) {
					p = filepath.Join(r.fl.Dir, p)
				}
				k, err := attest.LoadPublicKey(p)
				if err != nil && r.trustErr == nil {
					r.trustErr = &InputError{fmt.Errorf("%s: trust.%s: %w", r.fl.File, role, err)}
				}
				if k != nil {
					keys = append(keys, k)
				}
			}
			return keys
		}
		r.trusted = dataset.Trust{Producers: load("data-producers"),
			CodeReviewed: review.Check(r.h.Store, r.h.Catalog, load("reviewers"))}
	})
	return r.trusted, r.trustErr
}
