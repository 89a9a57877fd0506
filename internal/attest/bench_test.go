package attest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// writeBenchFile writes size bytes of a fixed pattern to path.
func writeBenchFile(b *testing.B, path string, size int64) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i*7 + i>>8)
	}
	for n := int64(0); n < size; n += int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), size-n)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

func hashFile(b *testing.B, path string) core.Digest {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := core.NewHash()
	if _, err := io.Copy(h, f); err != nil {
		b.Fatal(err)
	}
	return core.DigestFromSum(h.Sum(nil))
}

// BenchmarkVerify100MiB verifies a provenance bundle for a 100 MiB
// artifact, hashing the artifact each time as a verifier must.
func BenchmarkVerify100MiB(b *testing.B) {
	const size = 100 << 20
	path := filepath.Join(b.TempDir(), "artifact.bin")
	writeBenchFile(b, path, size)
	s := testSigner(b, "")
	p := testProvenance()
	p.Subjects = []Subject{{Name: "train/model", Digest: hashFile(b, path)}}
	st, err := p.Statement()
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := Sign(context.Background(), st, s)
	if err != nil {
		b.Fatal(err)
	}
	keys := []*PublicKey{s.PublicKey}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Verify(bundle, keys, hashFile(b, path)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyModel verifies a model signature over 8 files of 32 MiB
// (256 MiB), hashed in parallel.
func BenchmarkVerifyModel(b *testing.B) {
	const files, size = 8, 32 << 20
	dir := filepath.Join(b.TempDir(), "model")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range files {
		writeBenchFile(b, filepath.Join(dir, "shard-"+string(rune('a'+i))+".safetensors"), size)
	}
	s := testSigner(b, "")
	sig, err := SignModel(context.Background(), dir, s, ModelOptions{})
	if err != nil {
		b.Fatal(err)
	}
	keys := []*PublicKey{s.PublicKey}
	b.SetBytes(files * size)
	b.ResetTimer()
	for b.Loop() {
		if _, err := VerifyModel(context.Background(), dir, sig, keys); err != nil {
			b.Fatal(err)
		}
	}
}
