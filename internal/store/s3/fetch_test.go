package s3_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/store/s3/s3test"
)

// TestFetchTo writes objects into files by parallel ranged GETs: a small
// one, one of a single range plus a byte, one of many ranges; an object
// altered in the bucket in a later range, or cut short, is refused with
// its digest named.
func TestFetchTo(t *testing.T) {
	srv := s3test.Start(t)
	b := open(t, srv)
	dir := t.TempDir()
	fetch := func(d core.Digest) ([]byte, error) {
		f, err := os.CreateTemp(dir, "fetch-*")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		n, err := b.FetchTo(ctx, d, f)
		if err != nil {
			return nil, err
		}
		got, err := os.ReadFile(f.Name())
		if err == nil && int64(len(got)) != n {
			t.Errorf("FetchTo says %d bytes; the file holds %d", n, len(got))
		}
		return got, err
	}
	for _, size := range []int{0, 1000, 8<<20 + 1, 37<<20 + 12345} {
		data := make([]byte, size)
		rand.Read(data)
		d := core.DigestOf(data)
		if err := b.Put(ctx, d, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		got, err := fetch(d)
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: the file holds other bytes (%d)", size, len(got))
		}
		if size < 8<<20 {
			continue
		}
		if err := b.Damage(d, func(p []byte) []byte { p[len(p)-3] ^= 1; return p }); err != nil {
			t.Fatal(err)
		}
		if _, err := fetch(d); !errors.Is(err, store.ErrCorrupt) || !bytes.Contains([]byte(err.Error()), []byte(d)) {
			t.Errorf("%d bytes, one altered: got %v, want an error naming %s and wrapping ErrCorrupt", size, err, d)
		}
		if err := b.Damage(d, func(p []byte) []byte { return p[:len(p)-100] }); err != nil {
			t.Fatal(err)
		}
		if _, err := fetch(d); !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("%d bytes, cut short: got %v, want ErrCorrupt", size, err)
		}
	}
	if _, err := fetch(core.DigestOf([]byte("never stored"))); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing object: got %v, want ErrNotFound", err)
	}
}

// TestWritableTreeCopyOutOfABucket: `lockstep get` of a folder output
// writes each file in place inside the folder it renames whole, through
// the parallel fetch, which reads the file back as it hashes it.
func TestWritableTreeCopyOutOfABucket(t *testing.T) {
	srv := s3test.Start(t)
	st, err := store.New(open(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	files := map[string][]byte{"small.bin": make([]byte, 1000), "big.bin": make([]byte, 9<<20)}
	for name, data := range files {
		rand.Read(data)
		if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, _, err := st.PutTree(ctx, src, store.TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "out")
	if err := st.Materialize(ctx, d, dest, store.MaterializeOptions{Writable: true}); err != nil {
		t.Fatalf("writable copy of a tree out of the bucket: %v", err)
	}
	for name, data := range files {
		got, err := os.ReadFile(filepath.Join(dest, name))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: %d bytes, %v; want the %d bytes stored", name, len(got), err, len(data))
		}
	}
}
