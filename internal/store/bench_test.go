package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// randomFiles writes n files of size random bytes under a temp dir with
// mtimes old enough for the hash cache.
func randomFiles(b *testing.B, n int, size int) string {
	b.Helper()
	dir := b.TempDir()
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, size)
	old := time.Now().Add(-time.Hour)
	for i := range n {
		rng.Read(buf)
		p := filepath.Join(dir, fmt.Sprintf("d%02d", i%16), fmt.Sprintf("f%05d", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	return dir
}

func BenchmarkPutFile64MiB(b *testing.B) {
	src := filepath.Join(randomFiles(b, 1, 64<<20), "d00", "f00000")
	b.SetBytes(64 << 20)
	for i := 0; b.Loop(); i++ {
		s, err := Open(filepath.Join(b.TempDir(), fmt.Sprint(i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.PutFile(context.Background(), src); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkPutTree(b *testing.B, n, size int, cached bool) {
	dir := randomFiles(b, n, size)
	root := filepath.Join(b.TempDir(), "warm")
	if cached {
		s, _ := Open(root)
		s.PutTree(context.Background(), dir, TreeOptions{})
		s.Close()
	}
	b.SetBytes(int64(n * size))
	for i := 0; b.Loop(); i++ {
		r := root
		if !cached {
			r = filepath.Join(b.TempDir(), fmt.Sprint(i))
		}
		s, err := Open(r)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.PutTree(context.Background(), dir, TreeOptions{}); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkPutTree1000x16KiB(b *testing.B)       { benchmarkPutTree(b, 1000, 16<<10, false) }
func BenchmarkPutTree1000x16KiBCached(b *testing.B) { benchmarkPutTree(b, 1000, 16<<10, true) }
func BenchmarkPutTree32x1MiB(b *testing.B)          { benchmarkPutTree(b, 32, 1<<20, false) }

func BenchmarkPutTree10000x16KiBCached(b *testing.B) { benchmarkPutTree(b, 10000, 16<<10, true) }

// BenchmarkScanTree10000 lists a 10,000-file tree without the hash cache
// and with it (every file known): the difference is the cost of the
// lookups and of checking that each object still exists.
func BenchmarkScanTree10000(b *testing.B) {
	dir := randomFiles(b, 10000, 1<<10)
	s := newStore(b)
	if _, _, err := s.PutTree(context.Background(), dir, TreeOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			scanTree(context.Background(), dir, TreeOptions{}, nil)
		}
	})
	b.Run("cached", func(b *testing.B) {
		known, done, err := s.knownObjects()
		if err != nil {
			b.Fatal(err)
		}
		defer done()
		for b.Loop() {
			scanTree(context.Background(), dir, TreeOptions{}, known)
		}
	})
}
