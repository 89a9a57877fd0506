package sbom

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// smallEnv is an environment record with a few packages, as stored: its
// bytes and their digest.
func smallEnv(t *testing.T) (*capture.Environment, []byte, core.Digest) {
	t.Helper()
	env := &capture.Environment{Type: "local", OS: capture.OSInfo{ID: "debian", VersionID: "12"}, Arch: "x86_64",
		CPU: capture.CPU{Model: "test cpu", Cores: 2}, Memory: 1 << 30,
		Interpreter: &capture.Interpreter{Kind: "python", Path: "/usr/bin/python3.11", Version: "3.11.2", Prefix: "/usr",
			Packages: []capture.Package{{Name: "numpy", Version: "1.24.2"}, {Name: "requests", Version: "2.28.1"}}},
		OSPackages: &capture.PackageSet{Manager: "dpkg", Packages: []capture.Package{{Name: "libc6", Version: "2.36-9", Arch: "amd64"}}}}
	b, d, err := core.DigestJSON(env)
	if err != nil {
		t.Fatal(err)
	}
	return env, b, d
}

// signedSBOM signs the SBOM of smallEnv with a new key.
func signedSBOM(t *testing.T) (doc *Document, envBytes, bundle []byte, key *attest.Signer) {
	t.Helper()
	env, b, d := smallEnv(t)
	doc, err := New(env, d)
	if err != nil {
		t.Fatal(err)
	}
	if key, err = attest.GenerateKey(""); err != nil {
		t.Fatal(err)
	}
	if bundle, err = attest.Sign(context.Background(), doc.Statement(), key); err != nil {
		t.Fatal(err)
	}
	return doc, b, bundle, key
}

// tamperPredicate rewrites the signed SBOM inside a bundle, keeping the
// signature.
func tamperPredicate(t *testing.T, bundle []byte, old, new string) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	env := b["dsseEnvelope"].(map[string]any)
	payload, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
	if !bytes.Contains(payload, []byte(old)) {
		t.Fatalf("payload lacks %q", old)
	}
	env["payload"] = base64.StdEncoding.EncodeToString(bytes.ReplaceAll(payload, []byte(old), []byte(new)))
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSignedSBOMVerifies has sigstore-go (attest.Verify) check a signed
// SBOM: it is about the environment record, its predicate is the SBOM
// byte for byte, and an altered SBOM or another environment fails.
func TestSignedSBOMVerifies(t *testing.T) {
	doc, envBytes, bundle, key := signedSBOM(t)
	if doc.Digest != core.DigestOf(doc.Bytes) || !strings.HasPrefix(doc.BOMLink, "urn:cdx:") || !strings.HasSuffix(doc.BOMLink, "/1") {
		t.Errorf("document %s, BOM-Link %s", doc.Digest, doc.BOMLink)
	}
	var serial struct{ SerialNumber string }
	json.Unmarshal(doc.Bytes, &serial)
	if strings.TrimPrefix(serial.SerialNumber, "urn:uuid:") != strings.TrimSuffix(strings.TrimPrefix(doc.BOMLink, "urn:cdx:"), "/1") {
		t.Errorf("BOM-Link %s does not name serial number %s", doc.BOMLink, serial.SerialNumber)
	}
	v, err := attest.Verify(bundle, []*attest.PublicKey{key.PublicKey}, core.DigestOf(envBytes))
	if err != nil {
		t.Fatal(err)
	}
	if v.PredicateType != "https://cyclonedx.org/bom" {
		t.Errorf("predicate type %s", v.PredicateType)
	}
	if got := v.Statement.Predicate.(json.RawMessage); !bytes.Equal(got, doc.Bytes) {
		t.Errorf("the signed predicate is not the SBOM `lockstep sbom` writes:\n%.300s\n%.300s", got, doc.Bytes)
	}
	if _, err := attest.Verify(bundle, []*attest.PublicKey{key.PublicKey}, core.DigestOf([]byte("another environment"))); !errors.Is(err, attest.ErrSubjectMismatch) {
		t.Errorf("another environment: %v, want a subject mismatch", err)
	}
	bad := tamperPredicate(t, bundle, `"version":"2.28.1"`, `"version":"2.31.0"`)
	if _, err := attest.Verify(bad, []*attest.PublicKey{key.PublicKey}, core.DigestOf(envBytes)); !errors.Is(err, attest.ErrBadSignature) {
		t.Errorf("altered SBOM: %v, want a bad signature", err)
	}
	env, _, d := smallEnv(t)
	again, _ := New(env, d)
	if again.Digest != doc.Digest {
		t.Errorf("one environment, two SBOM digests: %s, %s", doc.Digest, again.Digest)
	}
}

// TestCosignVerifiesSignedSBOM has cosign, an independent implementation,
// verify a signed SBOM offline as `cosign verify-blob-attestation --type
// cyclonedx` against the environment record it describes.
func TestCosignVerifiesSignedSBOM(t *testing.T) {
	cosign, err := exec.LookPath("cosign")
	if err != nil {
		t.Skip("cosign is not on PATH; install it with: go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5")
	}
	_, envBytes, bundle, key := signedSBOM(t)
	other, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"builder.pub":           key.PublicKey.PEM(),
		"other.pub":             other.PublicKey.PEM(),
		"sbom.sigstore.json":    bundle,
		"altered.sigstore.json": tamperPredicate(t, bundle, `"version":"2.28.1"`, `"version":"2.31.0"`),
		"trusted_root.json":     []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`),
		"env.json":              envBytes,
		"changed-env.json":      append(append([]byte{}, envBytes...), ' '),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, key, bundle, blob string
		ok                      bool
	}{
		{"the environment record", "builder.pub", "sbom.sigstore.json", "env.json", true},
		{"a changed environment record", "builder.pub", "sbom.sigstore.json", "changed-env.json", false},
		{"an altered SBOM", "builder.pub", "altered.sigstore.json", "env.json", false},
		{"another key", "other.pub", "sbom.sigstore.json", "env.json", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cosignVerify(t, cosign, dir, tt.key, tt.bundle, tt.blob, "cyclonedx", tt.ok)
		})
	}
}

// cosignVerify runs `cosign verify-blob-attestation --type typ` offline in
// dir (holding trusted_root.json) on blob with the bundle and public key
// named, and fails the test unless it succeeds exactly when ok.
func cosignVerify(t *testing.T, cosign, dir, key, bundle, blob, typ string, ok bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cosign, "verify-blob-attestation", "--key", key, "--bundle", bundle,
		"--new-bundle-format", "--trusted-root", "trusted_root.json", "--type", typ,
		"--insecure-ignore-tlog=true", blob)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "TUF_ROOT="+filepath.Join(dir, "tuf"))
	out, err := cmd.CombinedOutput()
	if (err == nil) != ok {
		t.Fatalf("cosign verify-blob-attestation --type %s %s: err = %v, want success %v\n%s", typ, blob, err, ok, out)
	}
	if ok && !bytes.Contains(out, []byte("Verified OK")) {
		t.Errorf("cosign output lacks Verified OK:\n%s", out)
	}
}
