package review

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/store"
)

func open(t *testing.T) (*store.Store, catalog.Catalog) {
	t.Helper()
	h := home.OpenTemp(t)
	return h.Store, h.Catalog
}

func key(t *testing.T) *attest.Signer {
	t.Helper()
	k, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestApprovedCodeIsReviewedOnlyByTrustedKeysForThatTree(t *testing.T) {
	ctx := context.Background()
	st, cat := open(t)
	reviewer, stranger := key(t), key(t)
	trusted := []*attest.PublicKey{reviewer.PublicKey}
	code, other := core.DigestOf([]byte("code tree")), core.DigestOf([]byte("other tree"))

	_, _, err := Reviewed(ctx, st, cat, code, trusted)
	if !errors.Is(err, ErrNotReviewed) || !strings.Contains(err.Error(), "it has no review") ||
		!strings.Contains(err.Error(), "lockstep review approve "+string(code)) {
		t.Errorf("unreviewed code: %v", err)
	}
	if _, err := Approve(ctx, st, cat, other, reviewer, Review{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Approve(ctx, st, cat, code, stranger, Review{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Reviewed(ctx, st, cat, code, trusted); !errors.Is(err, ErrNotReviewed) ||
		!strings.Contains(err.Error(), "none of its 1 reviews is signed by a trusted reviewer") {
		t.Errorf("review by an untrusted key, or of another tree, counted: %v", err)
	}
	if _, _, err := Reviewed(ctx, st, cat, code, nil); !strings.Contains(err.Error(), "no reviewer keys are trusted") {
		t.Errorf("no trusted reviewers: %v", err)
	}
	when := time.Date(2026, 3, 1, 12, 0, 0, 999, time.FixedZone("x", 3600))
	bundle, err := Approve(ctx, st, cat, code, reviewer, Review{Reviewer: "ada", Comment: "no data leaves the job", Time: when})
	if err != nil {
		t.Fatal(err)
	}
	r, k, err := Reviewed(ctx, st, cat, code, trusted)
	if err != nil {
		t.Fatal(err)
	}
	if r.Reviewer != "ada" || r.Comment != "no data leaves the job" || !r.Time.Equal(when.Truncate(time.Second)) || r.Time.Location() != time.UTC {
		t.Errorf("review = %+v", r)
	}
	if k.Fingerprint() != reviewer.PublicKey.Fingerprint() {
		t.Errorf("signed by %s, want the reviewer", k)
	}
	if err := Check(st, cat, trusted)(ctx, code); err != nil {
		t.Errorf("Check of reviewed code: %v", err)
	}
	if err := Check(st, cat, trusted)(ctx, other); err != nil {
		t.Errorf("Check of the other tree, reviewed by the trusted key: %v", err)
	}
	rows, err := cat.Attestations(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		if row.Bundle == bundle {
			found = true
			if row.PredicateType != PredicateType || row.SubjectName != Subject || row.Signer != reviewer.PublicKey.Fingerprint() || !row.Created.Equal(r.Time) {
				t.Errorf("indexed as %+v", row)
			}
		}
	}
	if !found {
		t.Errorf("review bundle %s is not indexed under the code tree", bundle)
	}
}

func TestApproveDefaultsTheReviewerToTheKey(t *testing.T) {
	ctx := context.Background()
	st, cat := open(t)
	k := key(t)
	code := core.DigestOf([]byte("code tree"))
	if _, err := Approve(ctx, st, cat, code, k, Review{}); err != nil {
		t.Fatal(err)
	}
	r, _, err := Reviewed(ctx, st, cat, code, []*attest.PublicKey{k.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	if r.Reviewer != k.PublicKey.String() || r.Time.IsZero() {
		t.Errorf("review = %+v, want reviewer %s and a time", r, k.PublicKey)
	}
	if _, err := Approve(ctx, st, cat, "sha256:nothex", k, Review{}); err == nil {
		t.Error("Approve accepted a malformed code digest")
	}
}
