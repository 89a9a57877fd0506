package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
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

// TestHashCacheTrustedUntilRemoval: a later process takes the digests of
// an unchanged tree from the hash cache without looking at a single
// object; once gc has removed objects, the entries are checked against
// the store again (a removed object's file is read and stored again), and
// the save that follows makes the cache trusted again.
func TestHashCacheTrustedUntilRemoval(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".lockstep")
	dir := writeFixture(t, sample)
	ctx := context.Background()
	putTree := func() (*Store, *core.Tree) {
		t.Helper()
		s, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		_, tree, err := s.PutTree(ctx, dir, TreeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s, tree
	}
	s1, tree := putTree()
	s1.Close()

	s2, _ := putTree()
	if n := s2.cache.objectChecks.load(); n != 0 || s2.HashedBytes() != 0 {
		t.Fatalf("unchanged tree: %d object checks and %d bytes read, want none", n, s2.HashedBytes())
	}
	s2.Close()

	// gc, in a process of its own, removes one object.
	e, _ := tree.Lookup("data/train.csv")
	gc, _ := Open(root)
	if err := gc.Remove(e.Digest); err != nil {
		t.Fatal(err)
	}
	gc.Close()
	s3, _ := putTree()
	if n := s3.HashedBytes(); n != e.Size {
		t.Fatalf("after gc removed one object, PutTree read %d bytes, want %d (that file only)", n, e.Size)
	}
	if !s3.Has(e.Digest) {
		t.Fatal("removed object not stored again")
	}
	s3.Close()
	s4, _ := putTree()
	if n := s4.cache.objectChecks.load(); n != 0 || s4.HashedBytes() != 0 {
		t.Fatalf("after the cache was saved again: %d object checks and %d bytes read, want none", n, s4.HashedBytes())
	}
}

// TestHashCacheRemovalWithoutSave: a remover killed before it saves the
// hash cache leaves every entry unverified: each object is checked, and
// the one removed is stored again.
func TestHashCacheRemovalWithoutSave(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".lockstep")
	dir := writeFixture(t, sample)
	ctx := context.Background()
	s1, _ := Open(root)
	_, tree, err := s1.PutTree(ctx, dir, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s1.Close()
	e, _ := tree.Lookup("data/train.csv")
	gc, _ := Open(root)
	if err := gc.Remove(e.Digest); err != nil {
		t.Fatal(err)
	}
	// no gc.Close(): killed
	s2, _ := Open(root)
	if _, _, err := s2.PutTree(ctx, dir, TreeOptions{}); err != nil {
		t.Fatal(err)
	}
	if s2.cache.objectChecks.load() == 0 {
		t.Fatal("entries trusted after an unsaved removal")
	}
	if !s2.Has(e.Digest) || s2.HashedBytes() != e.Size {
		t.Fatalf("removed object stored again: %v, after reading %d bytes (want %d)", s2.Has(e.Digest), s2.HashedBytes(), e.Size)
	}
}

// TestNewObjectsNeedNoRehashToLink: the objects a PutTree just wrote are
// linked into another process's materialisation without reading them
// again, and an object altered on disk is still refused.
func TestNewObjectsNeedNoRehashToLink(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".lockstep")
	dir := writeFixture(t, sample)
	ctx := context.Background()
	s1, _ := Open(root)
	d, tree, err := s1.PutTree(ctx, dir, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := Open(root) // the executor: another process, s1 still open
	if err := s2.Materialize(ctx, d, filepath.Join(t.TempDir(), "in"), MaterializeOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := s2.cache.objectRehashes.load(); n != 0 {
		t.Fatalf("materialising a tree just stored reread %d objects, want 0", n)
	}
	e, _ := tree.Lookup("data/train.csv")
	obj := s2.files.ObjectFile(e.Digest)
	os.Chmod(obj, 0o644)
	if err := os.WriteFile(obj, []byte("tampered"), 0o444); err != nil {
		t.Fatal(err)
	}
	s3, _ := Open(root)
	if err := s3.Materialize(ctx, d, filepath.Join(t.TempDir(), "in"), MaterializeOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("materialising over an altered object: %v, want %v", err, ErrCorrupt)
	}
}

// TestHashCacheDamagedFileVouchesForNothing: a cache file cut short in a
// record keeps its intact entries, but none is trusted without a stat of
// its object, though the file's header carries the current token.
func TestHashCacheDamagedFileVouchesForNothing(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".lockstep")
	dir := writeFixture(t, sample)
	ctx := context.Background()
	s1, _ := Open(root)
	if _, _, err := s1.PutTree(ctx, dir, TreeOptions{}); err != nil {
		t.Fatal(err)
	}
	s1.Close()
	b, err := os.ReadFile(s1.cache.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s1.cache.path, b[:len(b)-cacheRecLen/2], 0o644); err != nil {
		t.Fatal(err)
	}
	s2, _ := Open(root)
	defer s2.Close()
	if _, _, err := s2.PutTree(ctx, dir, TreeOptions{}); err != nil {
		t.Fatal(err)
	}
	if s2.cache.objectChecks.load() == 0 {
		t.Fatal("entries of a damaged cache file trusted without an object stat")
	}
}
