package attest

import (
	"testing"
)

// Key files come from users and from other tools: parsing one must never
// panic, and a key parsed must have a fingerprint.

func FuzzParsePublicKey(f *testing.F) {
	s, err := GenerateKey("")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(s.PublicKey.PEM())
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParsePublicKey("fuzz.pub", b)
		if err == nil && k.Fingerprint() == "" {
			t.Fatal("a parsed key has no fingerprint")
		}
	})
}

func FuzzParseSigner(f *testing.F) {
	s, err := GenerateKey("")
	if err != nil {
		f.Fatal(err)
	}
	pass := func() ([]byte, error) { return []byte("pw"), nil }
	enc, err := s.EncryptedPEM(pass)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add([]byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\ne30=\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseSigner("fuzz.key", b, pass)
		if err == nil && (k.PublicKey == nil || k.PublicKey.Fingerprint() == "") {
			t.Fatal("a parsed private key has no public half")
		}
	})
}
