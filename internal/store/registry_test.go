package store

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/store/local"
)

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenURL(ctx, "file://"+filepath.Join(dir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.PutBytes([]byte("by URL"))
	if err != nil {
		t.Fatal(err)
	}
	// The same folder opened by bare path is the same store.
	bare, err := OpenURL(ctx, filepath.Join(dir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	if !bare.Has(d) {
		t.Fatal("file:// URL and bare path open different stores")
	}
	if _, err := os.Stat(filepath.Join(dir, "home", "objects")); err != nil {
		t.Fatalf("a local store keeps the layout of existing homes: %v", err)
	}
	for _, bad := range []string{"s4://bucket/x", "file://otherhost/x"} {
		_, err := OpenURL(ctx, bad)
		if err == nil {
			t.Fatalf("OpenURL(%q) succeeded", bad)
		}
		if bad == "s4://bucket/x" && !strings.Contains(err.Error(), `unknown scheme "s4"; known schemes: file`) {
			t.Errorf("unknown scheme: %v; want the known schemes listed", err)
		}
	}
}

func TestRegister(t *testing.T) {
	dir := t.TempDir()
	Register("test-only", func(_ context.Context, u *url.URL) (Blob, error) {
		return local.Open(filepath.Join(dir, u.Host))
	})
	s, err := OpenURL(context.Background(), "test-only://x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutBytes([]byte("registered")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x", "objects")); err != nil {
		t.Fatalf("the registered opener was not used: %v", err)
	}
	if _, err := OpenURL(context.Background(), "nope://x"); err == nil || !strings.Contains(err.Error(), "file, s3, test-only") {
		t.Fatalf("err = %v; want the registered scheme among the known ones", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a scheme twice did not panic")
		}
	}()
	Register("file", nil)
}

// blobOnly hides a backend's local files: the store must then work through
// the Blob interface alone, as it will over a remote backend.
type blobOnly struct{ Blob }

func TestStoreOverBlobOnly(t *testing.T) {
	ctx := context.Background()
	l, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(blobOnly{l})
	if err != nil {
		t.Fatal(err)
	}
	if s.files != nil {
		t.Fatal("the store sees local files through blobOnly")
	}
	d, _, err := s.PutTree(ctx, writeFixture(t, sample), TreeOptions{Move: true})
	if err != nil {
		t.Fatal(err)
	}
	withFiles := putSample(t, newStore(t))
	if d != withFiles {
		t.Fatalf("tree digest %s over the Blob interface, %s with local files", d, withFiles)
	}
	dest := filepath.Join(t.TempDir(), "out")
	if err := s.Materialize(ctx, d, dest, MaterializeOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.HashTree(ctx, dest, TreeOptions{})
	if err != nil || got != d {
		t.Fatalf("materialised tree hashes to %s, %v; want %s", got, err, d)
	}
	tree, _ := s.GetTree(d)
	e, _ := tree.Lookup("README.md")
	if inode(t, filepath.Join(dest, "README.md")) == inode(t, l.ObjectFile(e.Digest)) {
		t.Fatal("materialised a hardlink without local files")
	}
	r, err := s.OpenReaderAt(ctx, e.Digest)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if _, err := r.ReadAt(buf, 1); err != nil || r.Close() != nil {
		t.Fatalf("ReadAt: %v", err)
	}
	if left, _ := os.ReadDir(l.StagingDir()); len(left) != 0 {
		t.Fatalf("%d files left in the local staging folder", len(left))
	}
	direct, _ := New(l)
	corrupt(t, direct, e.Digest)
	if err := s.Materialize(ctx, d, filepath.Join(t.TempDir(), "bad"), MaterializeOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("materialising a corrupt object over the Blob interface: err = %v, want ErrCorrupt", err)
	}
	if _, err := s.OpenReaderAt(ctx, e.Digest); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("OpenReaderAt of a corrupt object: err = %v, want ErrCorrupt", err)
	}
}
