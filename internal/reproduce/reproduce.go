package reproduce

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/flow"
)

// Options say how to reproduce a run.
type Options struct {
	// Engine says how tasks run: Backend, Jobs, Logs, Events and
	// the like. Reproduce sets its Params, Seed, NoCache, Steps, Sandbox,
	// Reproduces and, through SignerFor, Signer.
	Engine engine.Options
	// SignerFor, if set, picks the key that signs the rerun's provenance
	// from the restored flow and the folder its code was restored to (the
	// rule `lockstep run` applies); nil leaves the rerun unsigned.
	SignerFor func(fl *flow.Flow, dir string) (core.Signer, error)
	// Steps limits the rerun to these steps and what they depend on; nil
	// re-runs the steps the original run ran.
	Steps []string
	// Tolerance is the default for numbers; the flow's `compare:` overrides it.
	Tolerance Tolerance
	// Sandbox overrides the sandbox ("required" or "none"); "" follows the
	// original run.
	Sandbox string
	// TempDir is where the run's folder is restored ("" is the system's).
	TempDir string
}

// Result is a finished reproduction.
type Result struct {
	// Rerun is the new run, linked to the original by its Reproduces field.
	Rerun *Run
	// Report compares the original with the rerun; ReportDigest names it
	// in the store.
	Report       *Report
	ReportDigest core.Digest
}

// Reproduce re-runs run orig from its recorded code, flow file, inputs,
// params and seed, with the cache off, and compares the rerun with it.
// Objects missing from the store give a *MissingError before anything
// runs. A rerun whose steps fail is still compared (its tasks differ).
func Reproduce(ctx context.Context, h *engine.Home, orig *Run, opts Options) (*Result, error) {
	held, err := h.HoldShared(ctx) // until the report is stored too
	if err != nil {
		return nil, err
	}
	defer held.Unlock()
	dir, err := os.MkdirTemp(opts.TempDir, "lockstep-reproduce-")
	if err != nil {
		return nil, fmt.Errorf("reproduce %s: %w", orig.Record.ID, err)
	}
	defer os.RemoveAll(dir)
	flowPath, err := Restore(ctx, h.Store, orig, filepath.Join(dir, "code"))
	if err != nil {
		return nil, fmt.Errorf("reproduce %s: %w", orig.Record.ID, err)
	}
	b, err := h.Store.ReadBytes(orig.Record.FlowFile)
	if err != nil {
		return nil, fmt.Errorf("reproduce %s: read flow file: %w", orig.Record.ID, err)
	}
	fl, err := flow.Parse(flowPath, b, filepath.Dir(flowPath))
	if err != nil {
		return nil, fmt.Errorf("reproduce %s: %w", orig.Record.ID, &engine.InputError{Err: err})
	}
	seed := orig.Record.Seed
	eo := opts.Engine
	eo.Params, eo.Seed, eo.NoCache = typedParams(fl, orig.Record.Params), &seed, true
	eo.Steps, eo.Sandbox, eo.Reproduces = orig.Record.Steps, sandboxFor(orig.Record.Sandbox, opts.Sandbox), orig.Record.ID
	if len(opts.Steps) > 0 {
		eo.Steps = opts.Steps
	}
	if opts.SignerFor != nil {
		if eo.Signer, err = opts.SignerFor(fl, filepath.Dir(flowPath)); err != nil {
			return nil, fmt.Errorf("reproduce %s: %w", orig.Record.ID, err)
		}
	}
	if err := engine.Check(fl, eo); err != nil {
		return nil, fmt.Errorf("reproduce %s: %w", orig.Record.ID, err)
	}
	code, err := h.Snapshot(ctx, fl, nil)
	if err != nil {
		return nil, fmt.Errorf("reproduce %s: %w", orig.Record.ID, err)
	}
	rec, err := h.Run(ctx, fl, code, eo)
	if err != nil {
		return nil, fmt.Errorf("reproduce %s: %w", orig.Record.ID, err)
	}
	rerun, err := LoadRun(ctx, h.Store, h.Catalog, rec.ID)
	if err != nil {
		return nil, fmt.Errorf("reproduce %s: %w", orig.Record.ID, err)
	}
	steps := make([]string, 0, len(rerun.Tasks))
	for s := range rerun.Tasks {
		steps = append(steps, s)
	}
	rep := Compare(h.Store, orig, rerun, CompareOptions{Tolerance: opts.Tolerance, Steps: steps})
	rep.Type = ReportType
	if rerun.Record.Code != orig.Record.Code {
		// The rerun did not see the code the original ran: whatever its
		// outputs, that is not a reproduction.
		rep.Code = codeChanges(h.Store, orig.Record.Code, rerun.Record.Code)
		rep.Verdict = Differs
	}
	d, err := rep.Save(h.Store)
	if err != nil {
		return nil, fmt.Errorf("store reproduction report: %w", err)
	}
	return &Result{Rerun: rerun, Report: rep, ReportDigest: d}, nil
}

// checkSigningKey refuses, before anything runs, a flow that signs its
// provenance with a key file relative to the project when the restored code
// sandboxFor keeps the original run's confinement unless told otherwise.
func sandboxFor(recorded, override string) string {
	switch {
	case override != "":
		return override
	case recorded == "none":
		return "none"
	case recorded == "bubblewrap":
		return "required"
	}
	return ""
}

// typedParams gives back to recorded params the types the flow declares:
// a run record read from JSON holds every number as a float64, but a step
// must see an integer param as it first did ("1000000", not "1e+06").
func typedParams(fl *flow.Flow, params map[string]any) map[string]any {
	out := make(map[string]any, len(params))
	for k, v := range params {
		out[k] = v
		f, isFloat := v.(float64)
		if !isFloat || fl == nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			continue
		}
		if declaredInt(fl, k) {
			out[k] = int64(f)
		}
	}
	return out
}

// declaredInt reports whether the flow's default for param k, at the top or
// in a step, is an integer.
func declaredInt(fl *flow.Flow, k string) bool {
	if _, ok := fl.Params[k].(int64); ok {
		return true
	}
	for _, s := range fl.Steps {
		if _, ok := s.Params[k].(int64); ok {
			return true
		}
	}
	return false
}
