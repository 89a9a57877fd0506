package reproduce

import (
	"context"
	"errors"
	"fmt"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/provenance"
	"lockstep.dev/lockstep/internal/store"
)

// PredicateType is the in-toto predicate type of a reproduction attestation.
const PredicateType = attest.ReproductionPredicateType

// ErrNothingReproduced is returned by Attest when no output of the rerun
// was bit-identical: a statement needs at least one subject.
var ErrNothingReproduced = errors.New("no output was reproduced bit-identically, so there is nothing to attest")

// Predicate is what a reproduction attestation claims.
type Predicate struct {
	OriginalRun string  `json:"originalRun"`
	Rerun       string  `json:"rerun"`
	Verdict     Verdict `json:"verdict"`
	// Report names the stored reproduction report.
	Report  string            `json:"report"`
	Outputs []PredicateOutput `json:"outputs"`
}

// PredicateOutput is the verdict on one output, with both digests.
type PredicateOutput struct {
	Name     string  `json:"name"` // STEP/OUTPUT
	Verdict  Verdict `json:"verdict"`
	Original string  `json:"original,omitempty"`
	Rerun    string  `json:"rerun,omitempty"`
}

// Attestation is a signed reproduction statement stored and indexed.
type Attestation struct {
	// Bundle names the Sigstore bundle in the store.
	Bundle   core.Digest
	Subjects []attest.Subject
}

// Attest signs an in-toto statement about res with signer: its subjects are
// the rerun's outputs that were bit-identical to the original's (named
// STEP/OUTPUT). The bundle is stored and indexed in the catalog under each
// subject's digest with the rerun's id and the signer's fingerprint.
func Attest(ctx context.Context, st *store.Store, cat catalog.Catalog, res *Result, signer *attest.Signer) (*Attestation, error) {
	rep := res.Report
	pred := Predicate{OriginalRun: rep.Original, Rerun: rep.Rerun, Verdict: rep.Verdict,
		Report: string(res.ReportDigest), Outputs: []PredicateOutput{}}
	var subjects []attest.Subject
	for _, t := range rep.Tasks {
		for _, o := range t.Outputs {
			name := t.Step + "/" + o.Name
			pred.Outputs = append(pred.Outputs, PredicateOutput{Name: name, Verdict: o.Verdict,
				Original: string(o.Original), Rerun: string(o.Rerun)})
			if o.Verdict == Reproduced && o.Rerun != "" {
				subjects = append(subjects, attest.Subject{Name: name, Digest: o.Rerun})
			}
		}
	}
	if len(subjects) == 0 {
		return nil, ErrNothingReproduced
	}
	d, err := provenance.StoreBundle(ctx, st, cat, attest.NewStatement(subjects, PredicateType, pred), signer, rep.Rerun)
	if err != nil {
		return nil, fmt.Errorf("attest reproduction of %s: %w", rep.Original, err)
	}
	return &Attestation{Bundle: d, Subjects: subjects}, nil
}
