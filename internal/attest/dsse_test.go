package attest

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

// The DSSE specification's test vector.
func TestPAEVector(t *testing.T) {
	got := string(dsse.PAE("http://example.com/HelloWorld", []byte("hello world")))
	if want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"; got != want {
		t.Fatalf("PAE = %q, want %q", got, want)
	}
}

// bundleJSON is the part of a bundle the tests look into.
type bundleJSON struct {
	MediaType            string `json:"mediaType"`
	VerificationMaterial struct {
		PublicKey struct {
			Hint string `json:"hint"`
		} `json:"publicKey"`
		TlogEntries []json.RawMessage `json:"tlogEntries"`
	} `json:"verificationMaterial"`
	DsseEnvelope struct {
		Payload     string `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			Sig   string `json:"sig"`
			KeyID string `json:"keyid"`
		} `json:"signatures"`
	} `json:"dsseEnvelope"`
}

// TestBundleLayout checks the bundle with the standard library alone: its
// fields, and that the signature covers the DSSE PAE of the payload.
func TestBundleLayout(t *testing.T) {
	for _, typ := range KeyTypes {
		t.Run(string(typ), func(t *testing.T) {
			s := testSigner(t, typ)
			b, d := signedStatement(t, s, "train/model", []byte("weights"))
			var bj bundleJSON
			if err := json.Unmarshal(b, &bj); err != nil {
				t.Fatal(err)
			}
			if bj.MediaType != "application/vnd.dev.sigstore.bundle.v0.3+json" {
				t.Errorf("mediaType %q", bj.MediaType)
			}
			if bj.VerificationMaterial.PublicKey.Hint != s.PublicKey.Hint() {
				t.Errorf("hint %q, want %q", bj.VerificationMaterial.PublicKey.Hint, s.PublicKey.Hint())
			}
			if len(bj.VerificationMaterial.TlogEntries) != 0 {
				t.Error("key-based bundle has tlog entries")
			}
			env := bj.DsseEnvelope
			if env.PayloadType != "application/vnd.in-toto+json" || len(env.Signatures) != 1 {
				t.Fatalf("envelope %+v", env)
			}
			if env.Signatures[0].KeyID != "" {
				t.Errorf("keyid %q, want empty (cosign skips signatures with unknown key ids)", env.Signatures[0].KeyID)
			}
			payload, err := base64.StdEncoding.DecodeString(env.Payload)
			if err != nil {
				t.Fatal(err)
			}
			var st struct {
				Type    string `json:"_type"`
				Subject []struct {
					Name   string            `json:"name"`
					Digest map[string]string `json:"digest"`
				} `json:"subject"`
				PredicateType string `json:"predicateType"`
			}
			if err := json.Unmarshal(payload, &st); err != nil {
				t.Fatal(err)
			}
			if st.Type != "https://in-toto.io/Statement/v1" || len(st.Subject) != 1 ||
				st.Subject[0].Name != "train/model" || st.Subject[0].Digest["sha256"] != d.Hex() {
				t.Errorf("statement %s", payload)
			}
			sig, _ := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
			pae := dsse.PAE(env.PayloadType, payload)
			var ok bool
			switch k := s.PublicKey.Key.(type) {
			case *ecdsa.PublicKey:
				sum := sha256.Sum256(pae)
				ok = ecdsa.VerifyASN1(k, sum[:], sig)
			case ed25519.PublicKey:
				ok = ed25519.Verify(k, pae, sig)
			}
			if !ok {
				t.Error("signature does not verify over PAE(payloadType, payload)")
			}
		})
	}
}
