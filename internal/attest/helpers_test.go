package attest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// vectorDir is the OpenSSF model-signing interoperability vector (a copy of
// the reference implementation's test directory; see its SOURCE.md).
const vectorDir = "testdata/model-signing-v1.1.0"

func passphrase(p string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(p), nil }
}

func testSigner(t testing.TB, typ KeyType) *Signer {
	t.Helper()
	s, err := GenerateKey(typ)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signedStatement signs a statement about artifact bytes and returns the
// bundle and the artifact's digest.
func signedStatement(t testing.TB, s *Signer, name string, artifact []byte) ([]byte, core.Digest) {
	t.Helper()
	d := core.DigestOf(artifact)
	st := NewStatement([]Subject{{Name: name, Digest: d}}, "https://lockstep.dev/test/v1", map[string]any{"note": name})
	b, err := Sign(context.Background(), st, s)
	if err != nil {
		t.Fatal(err)
	}
	return b, d
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func vectorKey(t testing.TB) *PublicKey {
	t.Helper()
	k, err := LoadPublicKey(filepath.Join(vectorDir, "pub-only.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
