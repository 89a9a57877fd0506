package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// modelSignature checks an OpenSSF model signature by the required role
// over the model's files: those of Target.Dir when given (with its
// model.sig), else the stored tree, materialised for the check.
func (e *evaluator) modelSignature() (*Check, error) {
	r := e.pol.Require.ModelSignature
	if r == nil {
		return nil, nil
	}
	const name = "modelSignature"
	stored, err := e.stored(e.t.Digest, attest.ModelPredicateType)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		name core.Digest
		b    []byte
	}
	var cands []candidate
	if e.t.Dir != "" {
		if b, err := readSmall(filepath.Join(e.t.Dir, attest.ModelSignatureFile)); err == nil {
			cands = append(cands, candidate{core.DigestOf(b), b})
		}
	}
	for _, sb := range stored {
		if sb.Err != nil {
			return nil, fmt.Errorf("read model signature: %w", sb.Err)
		}
		cands = append(cands, candidate{sb.Row.Bundle, sb.Bytes})
	}
	if len(cands) == 0 {
		c := fail(name, "", fmt.Sprintf("no model signature for %s (a run signs the model outputs it declares with `kind: model`)", e.t.Digest.Short()))
		return &c, nil
	}
	dir, cleanup, err := e.modelDir()
	if err != nil {
		c := fail(name, "", err.Error())
		return &c, nil
	}
	defer cleanup()
	var reasons []string
	for _, cand := range cands {
		res, err := attest.VerifyModel(e.ctx, dir, cand.b, e.pol.Keys(r.SignedBy))
		if err == nil {
			e.ev.Model = &SignedEvidence{Bundle: cand.name, PredicateType: attest.ModelPredicateType, Verified: true,
				Signer: res.Key.Fingerprint(), SignerKey: res.Key.Name, Role: r.SignedBy}
			c := pass(name, cand.name, fmt.Sprintf("%d files signed by %s (role %s)", res.Files, res.Key.Name, r.SignedBy))
			return &c, nil
		}
		reason := attest.Explain(err)
		if errors.Is(err, attest.ErrModelMismatch) && res != nil {
			reason = "model files differ from the signed manifest:" + listFiles(" changed", res.Changed) + listFiles(" added", res.Added) + listFiles(" removed", res.Removed)
		} else if errors.Is(err, attest.ErrWrongKey) {
			reason = "not signed by role " + r.SignedBy
		}
		reasons = append(reasons, reason)
		if e.ev.Model == nil {
			e.ev.Model = &SignedEvidence{Bundle: cand.name, PredicateType: attest.ModelPredicateType, Error: reason}
		}
	}
	c := fail(name, cands[0].name, strings.Join(reasons, "; "))
	return &c, nil
}

// modelDir returns the model's files on disk and how to clean them up.
func (e *evaluator) modelDir() (string, func(), error) {
	if e.t.Dir != "" {
		return e.t.Dir, func() {}, nil
	}
	if _, err := e.st.GetTree(e.t.Digest); err != nil {
		return "", nil, fmt.Errorf("%s is not a stored directory, so it is not a model: %v", e.t.Digest.Short(), err)
	}
	tmp, err := os.MkdirTemp(e.tmp, "policy-model-")
	if err != nil {
		return "", nil, err
	}
	dir := filepath.Join(tmp, "model")
	if err := e.st.Materialize(e.ctx, e.t.Digest, dir, store.MaterializeOptions{}); err != nil {
		os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("materialise model %s: %w", e.t.Digest.Short(), err)
	}
	return dir, func() { os.RemoveAll(tmp) }, nil
}

func listFiles(label string, files []string) string {
	if len(files) == 0 {
		return ""
	}
	return label + " " + strings.Join(files, ", ")
}
