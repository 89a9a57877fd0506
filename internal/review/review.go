package review

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// PredicateType is the in-toto predicate type of a code review
// attestation.
const PredicateType = attest.ReviewPredicateType

// Subject is the subject name of the reviewed code tree.
const Subject = "code"

// ErrNotReviewed means code has no review by a trusted reviewer.
var ErrNotReviewed = errors.New("code has no review by a trusted reviewer")

// Review is the predicate of a code review attestation: who approved the
// code tree, when, and what they said.
type Review struct {
	Reviewer string    `json:"reviewer"`
	Time     time.Time `json:"time"`
	Comment  string    `json:"comment,omitempty"`
}

// Approve signs a review of the code tree code by signer, stores the
// bundle and indexes it under code. It returns the bundle's digest.
func Approve(ctx context.Context, st *store.Store, cat catalog.Catalog, code core.Digest, signer *attest.Signer, r Review) (core.Digest, error) {
	if !code.Valid() {
		return "", fmt.Errorf("approve: code %q is not a sha256 digest", code)
	}
	if r.Reviewer == "" {
		r.Reviewer = signer.PublicKey.String()
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC().Truncate(time.Second)
	stmt := attest.NewStatement([]attest.Subject{{Name: Subject, Digest: code}}, PredicateType, r)
	b, err := attest.Sign(ctx, stmt, signer)
	if err != nil {
		return "", fmt.Errorf("sign review of %s: %w", code, err)
	}
	bundle, err := st.PutBytes(b)
	if err != nil {
		return "", fmt.Errorf("store review of %s: %w", code, err)
	}
	row := catalog.AttestationRow{Bundle: bundle, Subject: code, SubjectName: Subject, PredicateType: PredicateType,
		Signer: signer.PublicKey.Fingerprint(), Created: r.Time}
	if err := cat.PutAttestation(ctx, row); err != nil {
		return "", fmt.Errorf("index review of %s: %w", code, err)
	}
	return bundle, nil
}

// Reviewed returns the review of code signed by one of reviewers, newest
// first. Reviews of other trees and reviews by other keys do not count:
// without a valid one it fails with ErrNotReviewed, naming the command that
// gets one.
func Reviewed(ctx context.Context, st *store.Store, cat catalog.Catalog, code core.Digest, reviewers []*attest.PublicKey) (*Review, *attest.PublicKey, error) {
	rows, err := attest.StoredRows(ctx, cat, code, PredicateType)
	if err != nil {
		return nil, nil, fmt.Errorf("reviews of %s: %w", code, err)
	}
	var unreadable error
	for i := len(rows) - 1; i >= 0 && len(reviewers) > 0; i-- {
		b, err := attest.ReadBundle(st, rows[i].Bundle)
		if err != nil {
			unreadable = cmp.Or(unreadable, err)
			continue
		}
		v, err := attest.Verify(b, reviewers, code)
		if err != nil || v.PredicateType != PredicateType {
			continue
		}
		var r Review
		if err := v.Statement.DecodePredicate(&r); err != nil {
			continue
		}
		return &r, v.Key, nil
	}
	why := "it has no review"
	switch {
	case unreadable != nil:
		why = fmt.Sprintf("no readable review is signed by a trusted reviewer (%v)", unreadable)
	case len(rows) > 0:
		why = fmt.Sprintf("none of its %d reviews is signed by a trusted reviewer", len(rows))
	}
	if len(reviewers) == 0 {
		why = "no reviewer keys are trusted"
	}
	return nil, nil, fmt.Errorf("code %s: %w: %s (a trusted reviewer runs `lockstep review approve %s --key reviewer.key`)",
		code, ErrNotReviewed, why, code)
}

// Check returns the check restricted datasets need (dataset.Trust's
// CodeReviewed): whether code has a review signed by one of reviewers, an
// error wrapping ErrNotReviewed if not.
func Check(st *store.Store, cat catalog.Catalog, reviewers []*attest.PublicKey) func(context.Context, core.Digest) error {
	return func(ctx context.Context, code core.Digest) error {
		_, _, err := Reviewed(ctx, st, cat, code, reviewers)
		return err
	}
}
