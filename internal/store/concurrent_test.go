package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// Two Store values on one root behave like two lockstep processes.
func TestConcurrentStoresPutTree(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".lockstep")
	f := fixture{}
	for i := range 200 {
		f[fmt.Sprintf("d%d/f%d.txt", i%7, i)] = fmt.Sprintf("file %d\n", i%50) // many duplicates
	}
	dir := writeFixture(t, f)
	want, _, err := newStore(t).PutTree(context.Background(), dir, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := Open(root)
			if err == nil {
				var d = want
				d, _, err = s.PutTree(context.Background(), dir, TreeOptions{})
				if err == nil && d != want {
					err = fmt.Errorf("digest %s, want %s", d, want)
				}
				if cerr := s.Close(); err == nil {
					err = cerr
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s, _ := Open(root)
	if err := s.Materialize(context.Background(), want, filepath.Join(t.TempDir(), "out"), MaterializeOptions{}); err != nil {
		t.Fatalf("tree written by concurrent stores is incomplete: %v", err)
	}
}

func TestHashCacheMergesSaves(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".lockstep")
	a := writeFixture(t, fixture{"a.txt": "from a"})
	b := writeFixture(t, fixture{"b.txt": "from b"})
	s1, _ := Open(root)
	s2, _ := Open(root)
	s1.PutTree(context.Background(), a, TreeOptions{})
	s2.PutTree(context.Background(), b, TreeOptions{})
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s2.Close(); err != nil { // saves after s1: must keep s1's entries
		t.Fatal(err)
	}
	s3, _ := Open(root)
	for _, dir := range []string{a, b} {
		if _, _, err := s3.PutTree(context.Background(), dir, TreeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := s3.HashedBytes(); n != 0 {
		t.Fatalf("after two stores saved their caches, %d bytes were hashed again, want 0", n)
	}
}

func TestPutTreeProgress(t *testing.T) {
	s := newStore(t)
	dir := writeFixture(t, sample)
	var reported atomic.Int64
	_, tree, err := s.PutTree(context.Background(), dir, TreeOptions{Progress: func(n int64) { reported.Add(n) }})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := reported.Load(), tree.Size(); got != want {
		t.Fatalf("progress reported %d bytes, tree holds %d", got, want)
	}
}

func TestPutTreeCancelled(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.PutTree(ctx, writeFixture(t, sample), TreeOptions{}); err == nil {
		t.Fatal("cancelled PutTree succeeded")
	}
	if n := countObjects(t, s); n != 0 {
		t.Fatalf("cancelled PutTree left %d objects", n)
	}
}
