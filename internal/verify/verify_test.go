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
	"lockstep.dev/lockstep/internal/policy"
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
	bundle := writeProvenance(t, signer, core.DigestOf([]byte("weights")), filepath.Join(dir, "p.json"))

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

// signedDir writes a model-like directory and a provenance bundle whose
// subject is its tree digest, as an export holds them.
func signedDir(t *testing.T, signer *attest.Signer) (dir, bundle string) {
	t.Helper()
	root := t.TempDir()
	dir = filepath.Join(root, "model")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte(strings.Repeat("w", 400)), 0o644)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"arch":"x"}`), 0o644)
	d, err := policy.ArtifactDigest(context.Background(), nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, writeProvenance(t, signer, d, filepath.Join(root, "provenance.sigstore.json"))
}

// writeProvenance writes to path a provenance bundle of run1 about the
// artifact train/model with digest d, signed by signer, and returns path.
func writeProvenance(t *testing.T, signer *attest.Signer, d core.Digest, path string) string {
	t.Helper()
	p := attest.Provenance{Subjects: []attest.Subject{{Name: "train/model", Digest: d}},
		External: map[string]any{"seed": 1}, BuilderID: "https://example.com/b", InvocationID: "run1"}
	st, err := p.Statement()
	if err != nil {
		t.Fatal(err)
	}
	b, err := attest.Sign(context.Background(), st, signer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDirectoryOfflineChecksItsDigest(t *testing.T) {
	signer, err := attest.GenerateKey(attest.KeyECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	keys := []*attest.PublicKey{signer.PublicKey}
	dir, bundle := signedDir(t, signer)
	otherRun, _ := signedDir(t, signer)
	os.WriteFile(filepath.Join(otherRun, "config.json"), []byte(`{"arch":"y"}`), 0o644)

	rep, err := Artifact(context.Background(), nil, nil, Target{Path: dir, Bundles: []string{bundle}}, keys)
	if err != nil || !rep.Verified || rep.Digest == "" {
		t.Fatalf("the signed directory: %+v, %v", rep, err)
	}
	want := rep.Digest

	tampered := filepath.Join(t.TempDir(), "evil")
	os.MkdirAll(tampered, 0o755)
	os.WriteFile(filepath.Join(tampered, "config.json"), []byte(`{"arch":"x"}`), 0o644)
	os.WriteFile(filepath.Join(tampered, "model.safetensors"), []byte(strings.Repeat("w", 200)+"EVIL"+strings.Repeat("w", 196)), 0o644)
	empty := t.TempDir()
	oneFile := t.TempDir()
	os.WriteFile(filepath.Join(oneFile, "notes.txt"), []byte("hello"), 0o644)
	for name, path := range map[string]string{"tampered": tampered, "empty": empty, "one file": oneFile, "another run's": otherRun} {
		rep, err := Artifact(context.Background(), nil, nil, Target{Path: path, Bundles: []string{bundle}}, keys)
		if !errors.Is(err, ErrNotVerified) || rep == nil || rep.Verified {
			t.Errorf("%s directory passes offline: %+v, %v", name, rep, err)
			continue
		}
		if rep.Digest == "" || rep.Digest == want {
			t.Errorf("%s directory: digest %q (signed %s)", name, rep.Digest, want)
		}
	}
}

func TestNoSubjectIsNeverVerified(t *testing.T) {
	signer, _ := attest.GenerateKey(attest.KeyEd25519)
	_, bundle := signedDir(t, signer)
	rep, err := Artifact(context.Background(), nil, nil, Target{Bundles: []string{bundle}}, []*attest.PublicKey{signer.PublicKey})
	if !errors.Is(err, ErrNotVerified) || rep.Verified {
		t.Fatalf("no subject: %+v, %v", rep, err)
	}
}

func TestOversizedBundleIsRefusedWithItsLimit(t *testing.T) {
	signer, _ := attest.GenerateKey(attest.KeyEd25519)
	dir, _ := signedDir(t, signer)
	big := filepath.Join(t.TempDir(), "big.sigstore.json")
	if err := os.WriteFile(big, nil, 0o644); err != nil || os.Truncate(big, attest.MaxBundleSize+1) != nil {
		t.Fatal(err)
	}
	rep, err := Artifact(context.Background(), nil, nil, Target{Path: dir, Bundles: []string{big}}, []*attest.PublicKey{signer.PublicKey})
	if !errors.Is(err, ErrNotVerified) || !strings.Contains(rep.Problems[0], "larger than the 64.0 MiB limit") || len(err.Error()) > 300 {
		t.Fatalf("oversized bundle: %v", err)
	}
}
