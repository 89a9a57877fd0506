package attest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseBundle feeds untrusted bytes to the bundle parser and the
// verifier: no input may panic, and whatever parses holds one signature
// over an in-toto payload.
func FuzzParseBundle(f *testing.F) {
	s := testSigner(f, "")
	good, d := signedStatement(f, s, "a", []byte("artifact"))
	vector, err := os.ReadFile(filepath.Join(vectorDir, "model.sig"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{good, vector, []byte(`{}`), []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`),
		[]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}},"dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AAAA"}]}}`)} {
		f.Add(seed)
	}
	keys := []*PublicKey{s.PublicKey}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parseAttestation(data)
		if err == nil {
			env := b.GetDsseEnvelope()
			if env.GetPayloadType() != PayloadType || len(env.GetSignatures()) != 1 {
				t.Fatalf("parsed an envelope with type %q and %d signatures", env.GetPayloadType(), len(env.GetSignatures()))
			}
		}
		if v, err := Verify(data, keys, d); err == nil && !v.Statement.HasSubject(d) {
			t.Fatal("verified a statement without the artifact as subject")
		}
	})
}

// FuzzParseEnvelope feeds untrusted bytes to the bare DSSE envelope and
// statement parsers.
func FuzzParseEnvelope(f *testing.F) {
	s := testSigner(f, "")
	good, _ := signedStatement(f, s, "a", []byte("artifact"))
	var m map[string]json.RawMessage
	if err := json.Unmarshal(good, &m); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(m["dsseEnvelope"]))
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":"MEUCIQ=="}]}`))
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ","signatures":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parseEnvelope(data)
		if err != nil {
			return
		}
		st, err := parseStatement(b.GetDsseEnvelope().GetPayload())
		if err == nil && len(st.Subject) == 0 {
			t.Fatal("parsed a statement without subjects")
		}
	})
}
