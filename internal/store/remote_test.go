package store

import (
	"context"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/local"
)

// sent counts the bytes Put read from the files of trees put into
// stores of the "counting" scheme: a local folder seen only through Blob,
// as a bucket is.
var sent atomic.Int64

type counting struct{ Blob }

func (c counting) Put(ctx context.Context, d core.Digest, r io.Reader) error {
	return c.Blob.Put(ctx, d, readCounter{r})
}

type readCounter struct{ io.Reader }

func (r readCounter) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	sent.Add(int64(n))
	return n, err
}

var registerCounting = sync.OnceFunc(func() {
	Register("counting", func(_ context.Context, u *url.URL) (Blob, error) {
		l, err := local.Open(u.Path)
		return counting{l}, err
	})
})

// A store without local files remembers the digests of the files it
// stored in its cache folder: the second put of an unchanged tree, by a
// new process, neither hashes nor sends a byte of its files; a changed
// file is hashed and sent again, and only it.
func TestRemoteHashCache(t *testing.T) {
	registerCounting()
	ctx := context.Background()
	loc, cacheDir := "counting://"+t.TempDir(), t.TempDir()
	dir := writeFixture(t, sample)
	open := func() *Store {
		t.Helper()
		s, err := OpenURLWith(ctx, loc, Options{CacheDir: cacheDir})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1 := open()
	d1, tree, err := s1.PutTree(ctx, dir, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, e := range tree.Entries {
		total += e.Size
	}
	if n := s1.HashedBytes(); n != total {
		t.Fatalf("first put hashed %d bytes, want %d", n, total)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	sent.Store(0)
	s2 := open() // a new process starts like this
	d2, _, err := s2.PutTree(ctx, dir, TreeOptions{})
	if err != nil || d2 != d1 {
		t.Fatalf("second put = %s, %v; want %s", d2, err, d1)
	}
	if n := s2.HashedBytes(); n != 0 {
		t.Errorf("second put of an unchanged tree hashed %d bytes, want 0", n)
	}
	if n := sent.Load(); n > int64(len(treeJSON(tree))) {
		t.Errorf("second put of an unchanged tree read %d bytes of files, want none", n)
	}

	changed := filepath.Join(dir, "data", "train.csv")
	if err := os.WriteFile(changed, []byte("a,b\n9,9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	os.Chtimes(changed, old, old)
	d3, tree3, err := s2.PutTree(ctx, dir, TreeOptions{})
	if err != nil || d3 == d1 {
		t.Fatalf("put after a change = %s, %v; want a new tree", d3, err)
	}
	e, _ := tree3.Lookup("data/train.csv")
	if n := s2.HashedBytes(); n != e.Size {
		t.Errorf("put after changing one file hashed %d bytes, want %d (that file)", n, e.Size)
	}
	if !s2.Has(e.Digest) || e.Digest != core.DigestOf([]byte("a,b\n9,9\n")) {
		t.Errorf("changed file stored as %s", e.Digest)
	}

	// A remembered digest whose object is gone from the backend is
	// stored again from the file.
	if err := s2.Remove(e.Digest); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s2.PutTree(ctx, dir, TreeOptions{}); err != nil || !s2.Has(e.Digest) {
		t.Fatalf("object removed behind the cache not stored again: %v", err)
	}
}
