package dataset

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkAdd registers a 64 MiB directory (16 files) in a fresh store
// each iteration: scan, hash, copy, BOM, bind. bench/data-add.sh compares
// the command with restic and git-annex.
func BenchmarkAdd(b *testing.B) {
	src := b.TempDir()
	buf := make([]byte, 4<<20)
	for i := 0; i < 16; i++ {
		rand.Read(buf)
		buf[0] = '#' // no pickle opcode: random data stays data
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("part-%02d.bin", i)), buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(16 << 22)
	for i := 0; b.Loop(); i++ {
		e := newEnv(b)
		if _, err := Add(context.Background(), e.st, e.cat, AddOptions{Ref: Ref{Name: "bench", Version: fmt.Sprint(i)}, Source: src}); err != nil {
			b.Fatal(err)
		}
	}
}
