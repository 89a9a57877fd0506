package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
)

// TestSignedSPDX signs the SPDX 2.3 and SPDX 3 documents of an
// environment: each is the predicate, byte for byte, of a statement of
// the SPDX predicate type for its version about the environment record,
// and cosign (when installed) verifies it with --type spdx (2.3) or the
// SPDX 3 type URI, and refuses the other type or an altered document.
func TestSignedSPDX(t *testing.T) {
	env, envBytes, d := smallEnv(t)
	key, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	cosign, cosignErr := exec.LookPath("cosign")
	for _, tt := range []struct {
		format          Format
		predicate       string
		cosignType      string
		wrongCosignType string
	}{
		{FormatSPDX, "https://spdx.dev/Document", "spdx", SPDX3PredicateType},
		{FormatSPDX3, "https://spdx.dev/Document/v3", SPDX3PredicateType, "spdx"},
	} {
		t.Run(string(tt.format), func(t *testing.T) {
			doc, err := Render(env, d, tt.format, time.Unix(1700000000, 0))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Digest != core.DigestOf(doc.Bytes) || doc.BOMLink != "" {
				t.Errorf("document %s, BOM-Link %q", doc.Digest, doc.BOMLink)
			}
			bundle, err := attest.Sign(context.Background(), doc.Statement(), key)
			if err != nil {
				t.Fatal(err)
			}
			v, err := attest.Verify(bundle, []*attest.PublicKey{key.PublicKey}, core.DigestOf(envBytes))
			if err != nil {
				t.Fatal(err)
			}
			if v.PredicateType != tt.predicate {
				t.Errorf("predicate type %s, want %s", v.PredicateType, tt.predicate)
			}
			if got := v.Statement.Predicate.(json.RawMessage); !bytes.Equal(got, doc.Bytes) {
				t.Errorf("the signed predicate is not the document Render wrote")
			}
			if cosignErr != nil {
				t.Skip("cosign is not on PATH; install it with: go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5")
			}
			dir := t.TempDir()
			for name, b := range map[string][]byte{
				"builder.pub":           key.PublicKey.PEM(),
				"sbom.sigstore.json":    bundle,
				"altered.sigstore.json": tamperPredicate(t, bundle, `"pkg:pypi/numpy@1.24.2"`, `"pkg:pypi/numpy@1.26.4"`),
				"trusted_root.json":     []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`),
				"env.json":              envBytes,
			} {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cosignVerify(t, cosign, dir, "builder.pub", "sbom.sigstore.json", "env.json", tt.cosignType, true)
			cosignVerify(t, cosign, dir, "builder.pub", "sbom.sigstore.json", "env.json", tt.wrongCosignType, false)
			cosignVerify(t, cosign, dir, "builder.pub", "altered.sigstore.json", "env.json", tt.cosignType, false)
		})
	}
}

// TestParseFormat: the formats by name; anything else is refused with
// the names there are.
func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); got != f || err != nil {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || err.Error() != `unknown SBOM format "xml": use cyclonedx, spdx or spdx3` {
		t.Errorf("ParseFormat(xml): %v", err)
	}
	env, _, d := smallEnv(t)
	if _, err := Render(env, d, "SPDX", time.Now()); err == nil {
		t.Error("Render of an unknown format succeeds")
	}
}
