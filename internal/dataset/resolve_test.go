package dataset

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/review"
	"lockstep.dev/lockstep/internal/store/storetest"
)

// restrictedEnv registers a restricted dataset signed by producer key 0.
func restrictedEnv(t *testing.T) (*env, *Added) {
	t.Helper()
	e := newEnv(t)
	dir := writeFiles(t, filepath.Join(e.root, "pii"), map[string]string{"people.csv": "name\nada\n", "z.csv": "n\n1\n"})
	a, err := e.add(t, "people@1", dir, AddOptions{Classification: Restricted, Signer: testKey(t, 0), Producer: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	return e, a
}

func TestResolveRestrictedNeedsTrustedReviewOfThatCode(t *testing.T) {
	ctx := context.Background()
	e, a := restrictedEnv(t)
	producer, reviewer, stranger := testKey(t, 0), testKey(t, 1), testKey(t, 2)
	code := core.DigestOf([]byte("code tree"))
	otherCode := core.DigestOf([]byte("other code tree"))
	trust := Trust{Producers: []*attest.PublicKey{producer.PublicKey}, CodeReviewed: review.Check(e.st, e.cat, []*attest.PublicKey{reviewer.PublicKey})}

	steps := []struct {
		name   string
		review func() // done before resolving
		ok     bool
	}{
		{"unreviewed", nil, false},
		{"review of another tree", func() { approve(t, e, otherCode, reviewer) }, false},
		{"review by an untrusted key", func() { approve(t, e, code, stranger) }, false},
		{"trusted review", func() { approve(t, e, code, reviewer) }, true},
	}
	for _, s := range steps {
		if s.review != nil {
			s.review()
		}
		r, err := Resolve(ctx, e.st, e.cat, "people@1", code, trust)
		if s.ok != (err == nil) {
			t.Fatalf("%s: Resolve err = %v, want ok %v", s.name, err, s.ok)
		}
		if err != nil {
			if !errors.Is(err, review.ErrNotReviewed) || !strings.Contains(err.Error(), "lockstep review approve "+string(code)) {
				t.Fatalf("%s: error %v should wrap review.ErrNotReviewed and name the command", s.name, err)
			}
			continue
		}
		want := core.Artifact{Digest: a.Tree, Kind: core.KindTree, Size: a.Size, Source: "dataset:people@1"}
		if r.Artifact != want || r.Signer != producer.PublicKey.Fingerprint() || r.Classification != Restricted || r.BOM != a.BOM {
			t.Fatalf("resolved %+v", r)
		}
	}
}

func approve(t *testing.T, e *env, code core.Digest, s *attest.Signer) {
	t.Helper()
	if _, err := review.Approve(context.Background(), e.st, e.cat, code, s, review.Review{Reviewer: s.PublicKey.Fingerprint(), Comment: "ok"}); err != nil {
		t.Fatal(err)
	}
}

func TestResolveChecksProducer(t *testing.T) {
	e, _ := restrictedEnv(t)
	ctx := context.Background()
	code := core.DigestOf([]byte("code"))
	approve(t, e, code, testKey(t, 1))
	reviewed := review.Check(e.st, e.cat, []*attest.PublicKey{testKey(t, 1).PublicKey})
	_, err := Resolve(ctx, e.st, e.cat, "people@1", code, Trust{Producers: []*attest.PublicKey{testKey(t, 2).PublicKey}, CodeReviewed: reviewed})
	if !errors.Is(err, ErrUnsigned) || !errors.Is(err, attest.ErrWrongKey) || !strings.Contains(err.Error(), "people@1") {
		t.Fatalf("wrong producer: %v", err)
	}
	// No producers trusted: the signature is not required.
	if _, err := Resolve(ctx, e.st, e.cat, "people@1", code, Trust{CodeReviewed: reviewed}); err != nil {
		t.Fatal(err)
	}
	// No way to check reviews: restricted data is refused.
	if _, err := Resolve(ctx, e.st, e.cat, "people@1", code, Trust{}); err == nil || !strings.Contains(err.Error(), "people@1 is restricted") {
		t.Fatalf("restricted data without a review check: %v", err)
	}
	if _, err := Resolve(ctx, e.st, e.cat, "nobody@1", code, Trust{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown dataset: %v", err)
	}
	if _, err := Resolve(ctx, e.st, e.cat, "../x@1", code, Trust{}); !errors.Is(err, ErrBadRef) {
		t.Fatalf("bad ref: %v", err)
	}
}

func TestResolveNamesFirstChangedFile(t *testing.T) {
	e := newEnv(t)
	dir := writeFiles(t, filepath.Join(e.root, "d"), map[string]string{"a.csv": "x\n1\n", "b.csv": "x\n2\n", "c.csv": "x\n3\n"})
	a, err := e.add(t, "abc@1", dir, AddOptions{Classification: Public})
	if err != nil {
		t.Fatal(err)
	}
	tree, err := e.st.GetTree(a.Tree)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"c.csv", "b.csv"} {
		ent, _ := tree.Lookup(name)
		storetest.Damage(t, e.st, ent.Digest, func([]byte) []byte { return []byte("x\n9\n") })
	}
	_, err = Resolve(context.Background(), e.st, e.cat, "abc@1", "", Trust{})
	if !errors.Is(err, ErrFilesChanged) || !strings.Contains(err.Error(), "file b.csv") {
		t.Fatalf("tampered store: %v", err)
	}
}
