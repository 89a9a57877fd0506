package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPutTreeHashCache(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".lockstep")
	dir := writeFixture(t, sample)
	s1, _ := Open(root)
	d1, _, err := s1.PutTree(context.Background(), dir, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s1.HashedBytes() == 0 {
		t.Fatal("first PutTree hashed nothing")
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2, _ := Open(root) // a new process would start like this
	d2, _, err := s2.PutTree(context.Background(), dir, TreeOptions{})
	if err != nil || d2 != d1 {
		t.Fatalf("second PutTree = %s, %v; want %s", d2, err, d1)
	}
	if n := s2.HashedBytes(); n != 0 {
		t.Fatalf("second PutTree of an unchanged tree read %d bytes, want 0", n)
	}

	// A cached digest whose object is gone must not be trusted.
	_, tree, _ := s2.PutTree(context.Background(), dir, TreeOptions{})
	e, _ := tree.Lookup("data/train.csv")
	if err := s2.Remove(e.Digest); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s2.PutTree(context.Background(), dir, TreeOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := s2.HashedBytes(); n != e.Size {
		t.Fatalf("after removing one object, PutTree read %d bytes, want %d (that file only)", n, e.Size)
	}
	if !s2.Has(e.Digest) {
		t.Fatal("removed object not stored again")
	}
}

func TestPutFileCache(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".lockstep")
	dir := writeFixture(t, fixture{"model.bin": "weights", "fresh.bin": "new"})
	now := time.Now()
	os.Chtimes(filepath.Join(dir, "fresh.bin"), now, now)
	s1, _ := Open(root)
	for _, name := range []string{"model.bin", "fresh.bin"} {
		d, n, err := s1.PutFile(context.Background(), filepath.Join(dir, name))
		if err != nil || n == 0 || !s1.Has(d) {
			t.Fatalf("PutFile %s = %s, %d, %v", name, d, n, err)
		}
	}
	s1.Close()
	s2, _ := Open(root)
	s2.PutFile(context.Background(), filepath.Join(dir, "model.bin"))
	if n := s2.HashedBytes(); n != 0 {
		t.Fatalf("unchanged file reread: %d bytes", n)
	}
	// A file modified just before it was hashed could change again within
	// the same mtime tick, so it is not remembered.
	s2.PutFile(context.Background(), filepath.Join(dir, "fresh.bin"))
	if n := s2.HashedBytes(); n != int64(len("new")) {
		t.Fatalf("recently modified file: read %d bytes, want %d", n, len("new"))
	}
}
