package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/local"
)

// remote is a local folder seen only through Blob, as a bucket is, that
// counts the objects it was asked to open.
type remote struct {
	Blob
	opens atomic.Int64
}

func (r *remote) Open(ctx context.Context, d core.Digest) (io.ReadCloser, error) {
	r.opens.Add(1)
	return r.Blob.Open(ctx, d)
}

func newRemote(t *testing.T) *remote {
	l, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &remote{Blob: l}
}

func readAll(t *testing.T, b Blob, d core.Digest) ([]byte, error) {
	t.Helper()
	r, err := b.Open(context.Background(), d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// An object read once is read from the cache next time; a cached copy
// that was altered is refused, dropped, and fetched again.
func TestReadCacheServesRepeatedReads(t *testing.T) {
	rem := newRemote(t)
	data := []byte(strings.Repeat("cached bytes ", 1000))
	d := core.DigestOf(data)
	if err := rem.Put(context.Background(), d, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	c, err := newReadCache(rem, t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got, err := readAll(t, c, d); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
	}
	if n := rem.opens.Load(); n != 1 {
		t.Fatalf("the backend was asked %d times for one object read three times; want 1", n)
	}
	p := c.path(d)
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, bytes.ToUpper(data), 0o444); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, c, d); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), string(d)) {
		t.Fatalf("altered cached copy: err = %v, want ErrCorrupt naming %s", err, d)
	}
	if got, err := readAll(t, c, d); err != nil || !bytes.Equal(got, data) || rem.opens.Load() != 2 {
		t.Fatalf("after a bad cached copy: %d bytes, %v, %d backend opens; want the object fetched again", len(got), err, rem.opens.Load())
	}
}

// What Put wrote is cached; a read stopped early caches nothing; the
// cache stays within its bound, dropping the least recently used.
func TestReadCacheBoundAndPut(t *testing.T) {
	rem := newRemote(t)
	c, err := newReadCache(rem, t.TempDir(), 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var ds []core.Digest
	for i := range 12 {
		data := bytes.Repeat([]byte{byte('a' + i)}, 8<<10)
		d := core.DigestOf(data)
		if err := c.Put(ctx, d, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	if _, err := readAll(t, c, ds[11]); err != nil || rem.opens.Load() != 0 {
		t.Fatalf("reading what was just put: %v, %d backend opens; want it from the cache", err, rem.opens.Load())
	}
	var size int64
	filepath.Walk(c.dir, func(_ string, fi os.FileInfo, _ error) error {
		if fi != nil && fi.Mode().IsRegular() {
			size += fi.Size()
		}
		return nil
	})
	if size > 64<<10 {
		t.Fatalf("cache holds %d bytes, over its bound of %d", size, 64<<10)
	}
	if _, err := os.Stat(c.path(ds[0])); err == nil {
		t.Fatal("the least recently used object was not evicted")
	}
	big := bytes.Repeat([]byte("x"), 100<<10)
	bd := core.DigestOf(big)
	rem.Put(ctx, bd, bytes.NewReader(big))
	r, err := c.Open(ctx, bd)
	if err != nil {
		t.Fatal(err)
	}
	r.Read(make([]byte, 10))
	r.Close()
	if _, err := os.Stat(c.path(bd)); err == nil {
		t.Fatal("an object read in part was cached")
	}
}

// A task's read-only input is kept in the cache; a writable copy the user
// asked for (`get`) is not kept twice.
func TestReadCacheKeepsInputsNotUserCopies(t *testing.T) {
	rem := newRemote(t)
	data := []byte("an input of a step\n")
	d := core.DigestOf(data)
	if err := rem.Put(context.Background(), d, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	c, err := newReadCache(rem, t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.MaterializeFile(ctx, d, filepath.Join(t.TempDir(), "mine"), MaterializeOptions{Writable: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.path(d)); err == nil {
		t.Fatal("a writable copy was also kept in the cache")
	}
	if err := s.MaterializeFile(ctx, d, filepath.Join(t.TempDir(), "input"), MaterializeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.path(d)); err != nil {
		t.Fatalf("a task's input was not kept in the cache: %v", err)
	}
}
