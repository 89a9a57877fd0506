package attest

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"lockstep.dev/lockstep/internal/core"
)

// TestSigstoreGoVerifiesBundle checks our bundle with sigstore-go's
// verifier used directly, as another tool would: the key looked up by the
// bundle's hint, the artifact digest checked against the subjects.
func TestSigstoreGoVerifiesBundle(t *testing.T) {
	s := testSigner(t, "")
	b, d := signedStatement(t, s, "train/model", []byte("weights"))
	var sb bundle.Bundle
	if err := sb.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	v, err := signature.LoadVerifier(s.PublicKey.Key, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	trusted := root.NewTrustedPublicKeyMaterialFromMapping(map[string]*root.ExpiringKey{
		s.PublicKey.Hint(): root.NewExpiringKey(v, time.Time{}, time.Time{}),
	})
	verifier, err := verify.NewVerifier(trusted, verify.WithNoObserverTimestamps())
	if err != nil {
		t.Fatal(err)
	}
	res, err := verifier.Verify(&sb, verify.NewPolicy(verify.WithArtifactDigest("sha256", d.Sum()), verify.WithKey()))
	if err != nil {
		t.Fatalf("sigstore-go rejects our bundle: %v", err)
	}
	if res.Statement.GetSubject()[0].GetName() != "train/model" {
		t.Errorf("statement %v", res.Statement)
	}
	other := core.DigestOf([]byte("other"))
	if _, err := verifier.Verify(&sb, verify.NewPolicy(verify.WithArtifactDigest("sha256", other.Sum()), verify.WithKey())); err == nil {
		t.Error("sigstore-go accepts a digest that is not a subject")
	}
}

func TestVerifyReturnsStatementAndKey(t *testing.T) {
	s, other := testSigner(t, ""), testSigner(t, KeyEd25519)
	b, d := signedStatement(t, s, "train/model", []byte("weights"))
	v, err := Verify(b, []*PublicKey{other.PublicKey, s.PublicKey}, d)
	if err != nil {
		t.Fatal(err)
	}
	if v.Key != s.PublicKey {
		t.Errorf("key %v, want the signer's", v.Key.Fingerprint())
	}
	if v.PredicateType != "https://lockstep.dev/test/v1" || !v.Statement.HasSubject(d) {
		t.Errorf("verified %+v", v.Statement)
	}
	var pred map[string]string
	if err := v.Statement.DecodePredicate(&pred); err != nil || pred["note"] != "train/model" {
		t.Errorf("predicate %v, %v", pred, err)
	}
	if _, err := Verify(b, []*PublicKey{s.PublicKey}, ""); err != nil {
		t.Errorf("without an artifact: %v", err)
	}
}

// mutate decodes a bundle, lets f change it and encodes it again.
func mutate(t *testing.T, b []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func envelope(m map[string]any) map[string]any { return m["dsseEnvelope"].(map[string]any) }

func sig0(m map[string]any) map[string]any {
	return envelope(m)["signatures"].([]any)[0].(map[string]any)
}

// flipBase64 flips one bit of the i-th decoded byte of a base64 field.
func flipBase64(s string, i int) string {
	raw, _ := base64.StdEncoding.DecodeString(s)
	raw[i%len(raw)] ^= 0x01
	return base64.StdEncoding.EncodeToString(raw)
}

func TestVerifyRejects(t *testing.T) {
	s, other := testSigner(t, ""), testSigner(t, "")
	good, d := signedStatement(t, s, "a", []byte("artifact A"))
	goodB, dB := signedStatement(t, s, "b", []byte("artifact B"))
	flipped := []byte("artifact A")
	flipped[0] ^= 1
	tests := []struct {
		name     string
		bundle   []byte
		keys     []*PublicKey
		artifact core.Digest
		want     error
	}{
		{"artifact byte flipped", good, []*PublicKey{s.PublicKey}, core.DigestOf(flipped), ErrSubjectMismatch},
		{"statement about another artifact", goodB, []*PublicKey{s.PublicKey}, d, ErrSubjectMismatch},
		{"payload byte flipped", mutate(t, good, func(m map[string]any) {
			envelope(m)["payload"] = flipBase64(envelope(m)["payload"].(string), 40)
		}), []*PublicKey{s.PublicKey}, d, ErrBadSignature},
		{"signature byte flipped", mutate(t, good, func(m map[string]any) {
			sig0(m)["sig"] = flipBase64(sig0(m)["sig"].(string), 10)
		}), []*PublicKey{s.PublicKey}, d, ErrBadSignature},
		{"subjects swapped between statements", mutate(t, good, func(m map[string]any) {
			// B's payload under A's signature.
			var mb map[string]any
			_ = json.Unmarshal(goodB, &mb)
			envelope(m)["payload"] = envelope(mb)["payload"]
		}), []*PublicKey{s.PublicKey}, dB, ErrBadSignature},
		{"another key", good, []*PublicKey{other.PublicKey}, d, ErrWrongKey},
		{"no keys", good, nil, d, ErrWrongKey},
		{"nil key", good, []*PublicKey{nil}, d, nil}, // a caller bug: an error, but no verdict
		{"signature removed", mutate(t, good, func(m map[string]any) {
			envelope(m)["signatures"] = []any{}
		}), []*PublicKey{s.PublicKey}, d, ErrNoSignature},
		{"bare statement", []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x","predicate":{}}`),
			[]*PublicKey{s.PublicKey}, d, ErrNoSignature},
		{"two signatures", mutate(t, good, func(m map[string]any) {
			sigs := envelope(m)["signatures"].([]any)
			envelope(m)["signatures"] = append(sigs, sigs[0])
		}), []*PublicKey{s.PublicKey}, d, ErrMalformed},
		{"payload type", mutate(t, good, func(m map[string]any) {
			envelope(m)["payloadType"] = "text/plain"
		}), []*PublicKey{s.PublicKey}, d, ErrMalformed},
		{"unknown media type", mutate(t, good, func(m map[string]any) {
			m["mediaType"] = "application/vnd.dev.sigstore.bundle.v9+json"
		}), []*PublicKey{s.PublicKey}, d, ErrMalformed},
		{"not JSON", []byte("\x00garbage"), []*PublicKey{s.PublicKey}, d, ErrMalformed},
		{"empty object", []byte("{}"), []*PublicKey{s.PublicKey}, d, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Verify(tt.bundle, tt.keys, tt.artifact)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if v != nil {
				t.Error("a result returned with an error")
			}
			for _, other := range []error{ErrMalformed, ErrNoSignature, ErrBadSignature, ErrWrongKey, ErrSubjectMismatch} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("err %v also matches %v", err, other)
				}
			}
		})
	}
}

// TestVerifySignedGarbage: a validly signed payload that is not an
// in-toto statement is malformed, not trusted.
func TestVerifySignedGarbage(t *testing.T) {
	s := testSigner(t, "")
	env, err := signEnvelope(context.Background(), []byte(`{"hello":"world"}`), s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := marshalBundle(env, s.PublicKey.Hint())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(b, []*PublicKey{s.PublicKey}, ""); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

// TestVerifyBareEnvelope accepts cosign's older format: a DSSE envelope
// on its own, without a bundle around it.
func TestVerifyBareEnvelope(t *testing.T) {
	s := testSigner(t, "")
	good, d := signedStatement(t, s, "a", []byte("artifact A"))
	var m map[string]any
	if err := json.Unmarshal(good, &m); err != nil {
		t.Fatal(err)
	}
	bare, _ := json.Marshal(m["dsseEnvelope"])
	v, err := Verify(bare, []*PublicKey{s.PublicKey}, d)
	if err != nil {
		t.Fatal(err)
	}
	if v.Key != s.PublicKey {
		t.Error("wrong key reported")
	}
	if _, err := Verify(bare, []*PublicKey{testSigner(t, "").PublicKey}, d); !errors.Is(err, ErrWrongKey) {
		t.Errorf("other key: err = %v, want ErrWrongKey", err)
	}
}

func TestSignRejectsBadStatements(t *testing.T) {
	s := testSigner(t, "")
	d := core.DigestOf([]byte("x"))
	tests := []struct {
		name string
		st   *Statement
	}{
		{"no subjects", NewStatement(nil, "t", map[string]any{})},
		{"bad digest", NewStatement([]Subject{{Name: "a", Digest: "sha256:zz"}}, "t", map[string]any{})},
		{"no predicate type", NewStatement([]Subject{{Name: "a", Digest: d}}, "", map[string]any{})},
		{"predicate not an object", NewStatement([]Subject{{Name: "a", Digest: d}}, "t", []int{1})},
	}
	for _, tt := range tests {
		if _, err := Sign(context.Background(), tt.st, s); err == nil {
			t.Errorf("%s: signed", tt.name)
		}
	}
	if _, err := Sign(context.Background(), NewStatement([]Subject{{Name: "a", Digest: d}}, "t", map[string]any{}), nil); err == nil {
		t.Error("signed without a key")
	}
}

func TestInspectUnverifiedReadsSubjectsOnly(t *testing.T) {
	signer, err := GenerateKey(KeyECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	d := core.DigestOf([]byte("artifact"))
	b, err := Sign(context.Background(), NewStatement([]Subject{{Name: "a/b", Digest: d}}, "https://example.com/p", map[string]any{"x": 1}), signer)
	if err != nil {
		t.Fatal(err)
	}
	st, err := InspectUnverified(b)
	if err != nil {
		t.Fatal(err)
	}
	if !st.HasSubject(d) || st.PredicateType != "https://example.com/p" {
		t.Fatalf("statement %+v", st)
	}
	if _, err := InspectUnverified([]byte(`{"_type":"https://in-toto.io/Statement/v1"}`)); !errors.Is(err, ErrNoSignature) {
		t.Fatalf("bare statement: %v", err)
	}
}
