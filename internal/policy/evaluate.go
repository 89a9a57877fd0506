package policy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// ErrNoStore is returned by Evaluate without a store and catalog to read
// the evidence from.
var ErrNoStore = errors.New("policy evaluation needs a lockstep home (store and catalog)")

// Target is the artifact to evaluate.
type Target struct {
	// Digest is the artifact's digest: a file's sha256 or a tree's digest.
	Digest core.Digest
	// Dir, if set, is the artifact's directory on disk; a model signature
	// is then checked against these files (and DIR/model.sig) rather than
	// the stored tree.
	Dir string
}

// Options tune Evaluate.
type Options struct {
	// Now is the time provenance ages are measured at; zero means now.
	Now time.Time
	// TempDir is where a stored model is materialised to check its
	// signature; "" means the system's temp folder. On the store's file
	// system the files are hardlinked rather than copied.
	TempDir string
	// Provenance are provenance bundles to consider besides those the
	// home's catalog indexes under the target's digest, such as those
	// attached to the model in an OCI registry. Each is verified like a
	// stored one (the policy's keys, the target's digest as subject); the
	// run it names is then read from the home when the home knows it.
	Provenance [][]byte
}

// evaluator holds one evaluation's inputs and the evidence gathered.
type evaluator struct {
	ctx context.Context
	st  *store.Store
	tmp string // where models are materialised ("" for the system's)
	// extra are provenance bundles given besides the catalog's.
	extra [][]byte
	cat   catalog.Catalog
	pol   *Policy
	t     Target
	ev    *Evidence
}

// Evaluate checks the artifact t against pol, walking the evidence from
// its digest: provenance, the run and its tasks, datasets, code reviews,
// reproductions and the model signature, then the policy's Rego rules. The
// result lists the required checks; Allowed is true only when all passed.
// An error means the evidence could not be read (not that a check failed).
func Evaluate(ctx context.Context, st *store.Store, cat catalog.Catalog, pol *Policy, t Target, opts Options) (*Result, error) {
	if st == nil || cat == nil {
		return nil, ErrNoStore
	}
	if !t.Digest.Valid() {
		return nil, fmt.Errorf("evaluate policy: %w", core.ErrBadDigest)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	e := &evaluator{ctx: ctx, st: st, cat: cat, pol: pol, t: t, tmp: opts.TempDir, extra: opts.Provenance,
		ev: &Evidence{Subject: t.Digest, Now: now.UTC(), Tasks: map[string]TaskEvidence{}}}
	var checks []Check
	prov, err := e.provenance()
	if err != nil {
		return nil, err
	}
	if pol.Require.Provenance != nil {
		checks = append(checks, prov)
	}
	if err := e.loadRun(); err != nil {
		return nil, err
	}
	steps := []func() (*Check, error){e.sandbox, e.formats, e.datasets, e.code, e.reproduced, e.modelSignature, e.dependencies}
	for _, step := range steps {
		c, err := step()
		if err != nil {
			return nil, err
		}
		if c != nil {
			checks = append(checks, *c)
		}
	}
	e.ev.Checks = checks
	if len(pol.Rego) > 0 {
		c, err := e.rego()
		if err != nil {
			return nil, err
		}
		checks = append(checks, c)
	}
	return &Result{Subject: t.Digest, Policy: pol.Path, Allowed: !failed(checks), Checks: checks, Evidence: e.ev}, nil
}

// rego runs the policy's Rego rules over the evidence.
func (e *evaluator) rego() (Check, error) {
	doc, err := e.ev.document()
	if err != nil {
		return Check{}, fmt.Errorf("evidence document: %w", err)
	}
	msgs, err := e.pol.regoDenials(e.ctx, doc)
	if err != nil {
		return Check{}, err
	}
	var children []Check
	for _, m := range msgs {
		children = append(children, fail("deny", "", m))
	}
	return group("rego", fmt.Sprintf("%d Rego files: no deny", len(e.pol.Rego)), fmt.Sprintf("%d deny messages", len(msgs)), children), nil
}

// noRun is the check a rule gets when the chain never reached a run.
func (e *evaluator) noRun(name string) *Check {
	c := fail(name, "", "no run is known for "+e.t.Digest.String()+": without provenance the chain of evidence cannot be followed")
	return &c
}
