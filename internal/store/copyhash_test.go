package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// TestCopyHashDigestIsOfTheCopy copies a file spanning several writeback
// chunks and checks that the copy holds the same bytes and that the digest
// returned is the digest of the copy's bytes as read back from disk.
func TestCopyHashDigestIsOfTheCopy(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 2*writebackChunk+3)
	rand.Read(data)
	srcPath, dstPath := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	if err := os.WriteFile(srcPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(dstPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	var reported int64
	d, n, err := copyHash(context.Background(), dst, src, func(k int64) { reported += k })
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dstPath)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(data)) || reported != n || !bytes.Equal(got, data) {
		t.Fatalf("copied %d bytes (progress %d), copy equal: %v; want %d", n, reported, bytes.Equal(got, data), len(data))
	}
	if want := core.DigestOf(got); d != want {
		t.Errorf("digest %s, the copy's bytes hash to %s", d, want)
	}
}
