package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
)

func TestExplainGivesEachFailureItsOwnMessage(t *testing.T) {
	cases := map[error]string{
		attest.ErrNoSignature:     "unsigned",
		attest.ErrWrongKey:        "not trusted",
		attest.ErrBadSignature:    "tampered",
		attest.ErrSubjectMismatch: "other artifacts",
		attest.ErrModelMismatch:   "differ from what was signed",
		attest.ErrMalformed:       "not a valid Sigstore bundle",
	}
	for err, want := range cases {
		if got := explain(fmt.Errorf("wrapped: %w", err), nil); !strings.Contains(got, want) {
			t.Errorf("explain(%v) = %q, want it to say %q", err, got, want)
		}
	}
}

func TestBundleGivenByHand(t *testing.T) {
	signer, err := attest.GenerateKey(attest.KeyECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := attest.GenerateKey(attest.KeyEd25519)
	dir := t.TempDir()
	artifact := filepath.Join(dir, "model.bin")
	os.WriteFile(artifact, []byte("weights"), 0o644)
	p := attest.Provenance{Subjects: []attest.Subject{{Name: "train/model", Digest: core.DigestOf([]byte("weights"))}},
		External: map[string]any{"seed": 1}, BuilderID: "https://example.com/b", InvocationID: "run1"}
	st, err := p.Statement()
	if err != nil {
		t.Fatal(err)
	}
	b, err := attest.Sign(context.Background(), st, signer)
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "p.json")
	os.WriteFile(bundle, b, 0o644)

	rep, err := Artifact(context.Background(), nil, nil, Target{Path: artifact, Bundles: []string{bundle}}, []*attest.PublicKey{signer.PublicKey})
	if err != nil || !rep.Verified || rep.Provenance.Run != "run1" || rep.Provenance.Subject != "train/model" {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	rep, err = Artifact(context.Background(), nil, nil, Target{Path: artifact, Bundles: []string{bundle}}, []*attest.PublicKey{other.PublicKey})
	if !errors.Is(err, ErrNotVerified) || !strings.Contains(rep.Problems[0], "not trusted") {
		t.Fatalf("another key: %+v, %v", rep, err)
	}
	os.WriteFile(artifact, []byte("weightz"), 0o644)
	rep, err = Artifact(context.Background(), nil, nil, Target{Path: artifact, Bundles: []string{bundle}}, []*attest.PublicKey{signer.PublicKey})
	if !errors.Is(err, ErrNotVerified) || !strings.Contains(rep.Problems[0], "other artifacts") {
		t.Fatalf("changed artifact: %+v, %v", rep, err)
	}
}
