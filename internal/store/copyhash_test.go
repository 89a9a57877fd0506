package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"sync"
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
	shown := false
	d, n, err := copyHash(context.Background(), dst, src, func(k int64) { reported += k }, func(core.Digest, []byte) { shown = true })
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
	if shown {
		t.Error("a file larger than one buffer was shown whole")
	}
}

// TestPutTreeShowsSmallFilesWhole checks that PutTree shows TreeOptions.
// Content each small file it reads, with the digest it stores it under
// and exactly its bytes, and not a file larger than its buffer.
func TestPutTreeShowsSmallFilesWhole(t *testing.T) {
	st, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := t.TempDir()
	big := make([]byte, 3<<20)
	rand.Read(big)
	files := map[string][]byte{"a.txt": []byte("alpha\n"), "sub/b.csv": []byte("x,y\n1,2\n"), "empty": nil, "big.bin": big}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put := func() map[string]core.Digest { // the files PutTree showed
		var mu sync.Mutex
		shown := map[string]core.Digest{}
		_, tree, err := st.PutTree(context.Background(), dir, TreeOptions{Content: func(path string, d core.Digest, b []byte) {
			rel, _ := filepath.Rel(dir, path)
			if want := files[filepath.ToSlash(rel)]; !bytes.Equal(b, want) || d != core.DigestOf(want) {
				t.Errorf("%s shown as %d bytes under %s, want its own bytes and digest", rel, len(b), d.Short())
			}
			mu.Lock()
			shown[filepath.ToSlash(rel)] = d
			mu.Unlock()
		}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tree.Entries {
			if d, ok := shown[e.Path]; ok && d != e.Digest {
				t.Errorf("%s shown under %s, stored under %s", e.Path, d.Short(), e.Digest.Short())
			}
		}
		return shown
	}
	if shown := put(); len(shown) != 3 || shown["big.bin"] != "" {
		t.Fatalf("shown %v, want the three small files", shown)
	}
}
