package attest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// cosignIn returns a function running cosign in dir with a cosign
// passphrase and a private home, skipping the test when cosign is missing.
func cosignIn(t *testing.T, dir string) func(args ...string) ([]byte, error) {
	t.Helper()
	cosign, err := exec.LookPath("cosign")
	if err != nil {
		t.Skip("cosign is not on PATH; install it with: go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5")
	}
	return func(args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, cosign, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "COSIGN_PASSWORD=cosign-pw", "HOME="+dir, "TUF_ROOT="+filepath.Join(dir, "tuf"))
		return cmd.CombinedOutput()
	}
}

// TestCosignInterop signs with a key made by `cosign generate-key-pair` and
// has cosign verify our provenance bundle offline with --key.
func TestCosignInterop(t *testing.T) {
	dir := t.TempDir()
	run := cosignIn(t, dir)
	if out, err := run("generate-key-pair", "--output-key-prefix", "builder"); err != nil {
		t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
	}
	signer, err := LoadSigner(filepath.Join(dir, "builder.key"), passphrase("cosign-pw"))
	if err != nil {
		t.Fatalf("load cosign's key: %v", err)
	}
	pub, err := LoadPublicKey(filepath.Join(dir, "builder.pub"))
	if err != nil {
		t.Fatal(err)
	}
	// An empty trusted root: no transparency logs or CAs, so cosign
	// verifies with --key alone, offline.
	writeFile(t, filepath.Join(dir, "trusted_root.json"), `{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`)
	artifact := []byte("model weights\n")
	writeFile(t, filepath.Join(dir, "model.bin"), string(artifact))
	p := testProvenance()
	p.Subjects = []Subject{{Name: "train/model", Digest: core.DigestOf(artifact)}}
	st, err := p.Statement()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sign(context.Background(), st, signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(b, []*PublicKey{pub}, core.DigestOf(artifact)); err != nil {
		t.Fatalf("our verifier: %v", err)
	}
	badSig := mutate(t, b, func(m map[string]any) { sig0(m)["sig"] = flipBase64(sig0(m)["sig"].(string), 12) })
	flipped := append([]byte(nil), artifact...)
	flipped[3] ^= 1
	writeFile(t, filepath.Join(dir, "flipped.bin"), string(flipped))
	// Our own Ed25519 keys verify with cosign too.
	ed := testSigner(t, KeyEd25519)
	writeFile(t, filepath.Join(dir, "ed.pub"), string(ed.PublicKey.PEM()))
	edBundle, err := Sign(context.Background(), st, ed)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		bundle   []byte
		key      string
		artifact string
		ok       bool
	}{
		{"as signed", b, "builder.pub", "model.bin", true},
		{"artifact byte flipped", b, "builder.pub", "flipped.bin", false},
		{"signature byte flipped", badSig, "builder.pub", "model.bin", false},
		{"ed25519 key", edBundle, "ed.pub", "model.bin", true},
		{"ed25519 bundle, other key", edBundle, "builder.pub", "model.bin", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, "b.json"), tt.bundle, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := run("verify-blob-attestation", "--key", tt.key, "--bundle", "b.json",
				"--new-bundle-format", "--trusted-root", "trusted_root.json",
				"--type", ProvenancePredicateType, "--insecure-ignore-tlog=true", tt.artifact)
			if (err == nil) != tt.ok {
				t.Fatalf("cosign verify-blob-attestation: err = %v, want success %v\n%s", err, tt.ok, out)
			}
			if !tt.ok && !bytes.Contains(out, []byte("failed to verify signature")) {
				t.Errorf("cosign failed before checking the signature:\n%s", out)
			}
			if tt.ok && !bytes.Contains(out, []byte("Verified OK")) {
				t.Errorf("cosign output %q lacks Verified OK", out)
			}
		})
	}
}

// TestCosignAttestationVerifies checks the other direction: a bundle made
// by `cosign attest-blob --key` verifies with Verify.
func TestCosignAttestationVerifies(t *testing.T) {
	dir := t.TempDir()
	cosign := cosignIn(t, dir)
	run := func(args ...string) {
		t.Helper()
		if out, err := cosign(args...); err != nil {
			t.Fatalf("cosign %s: %v\n%s", args[0], err, out)
		}
	}
	run("generate-key-pair", "--output-key-prefix", "builder")
	artifact := []byte("dataset rows\n")
	writeFile(t, filepath.Join(dir, "data.csv"), string(artifact))
	writeFile(t, filepath.Join(dir, "pred.json"), `{"buildDefinition":{"buildType":"x","externalParameters":{"a":1}},"runDetails":{"builder":{"id":"b"}}}`)
	run("attest-blob", "--key", "builder.key", "--predicate", "pred.json", "--type", ProvenancePredicateType,
		"--new-bundle-format", "--bundle", "att.json", "--tlog-upload=false", "--yes", "data.csv")
	b, err := os.ReadFile(filepath.Join(dir, "att.json"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadPublicKey(filepath.Join(dir, "builder.pub"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(b, []*PublicKey{testSigner(t, "").PublicKey, pub}, core.DigestOf(artifact))
	if err != nil {
		t.Fatalf("Verify rejects cosign's bundle: %v", err)
	}
	if v.Key != pub || v.PredicateType != ProvenancePredicateType {
		t.Errorf("verified %+v", v)
	}
	if _, err := Verify(b, []*PublicKey{pub}, core.DigestOf([]byte("other"))); !errors.Is(err, ErrSubjectMismatch) {
		t.Errorf("other artifact: err = %v, want ErrSubjectMismatch", err)
	}
	// cosign names its key by a hint of its own; a broken signature is
	// still recognised as made by that key.
	bad := mutate(t, b, func(m map[string]any) { sig0(m)["sig"] = flipBase64(sig0(m)["sig"].(string), 12) })
	if _, err := Verify(bad, []*PublicKey{pub}, core.DigestOf(artifact)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("flipped signature: err = %v, want ErrBadSignature", err)
	}
}
