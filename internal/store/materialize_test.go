package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

func putSample(t *testing.T, s *Store) core.Digest {
	t.Helper()
	d, _, err := s.PutTree(context.Background(), writeFixture(t, sample), TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

func TestMaterializeHardlinks(t *testing.T) {
	s := newStore(t)
	d := putSample(t, s)
	dest := filepath.Join(t.TempDir(), "inputs", "sample")
	if err := s.Materialize(context.Background(), d, dest, MaterializeOptions{}); err != nil {
		t.Fatal(err)
	}
	tree, _ := s.GetTree(d)
	readme, _ := tree.Lookup("README.md")
	p := filepath.Join(dest, "README.md")
	if inode(t, p) != inode(t, s.files.ObjectFile(readme.Digest)) {
		t.Error("README.md is not a hardlink to its object")
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o444 {
		t.Errorf("hardlinked input mode = %v, want read-only 0444", fi.Mode())
	}
	run := filepath.Join(dest, "bin", "run.sh")
	fi, err := os.Stat(run)
	if err != nil || fi.Mode().Perm() != 0o555 {
		t.Fatalf("bin/run.sh mode = %v, %v; want 0555 (executable, read-only)", fi.Mode(), err)
	}
	if target, err := os.Readlink(filepath.Join(dest, "data", "up")); err != nil || target != "../README.md" {
		t.Errorf("symlink data/up -> %q, %v", target, err)
	}
	if fi, err := os.Stat(filepath.Join(dest, "deep", "nested", "one")); err != nil || !fi.IsDir() {
		t.Errorf("empty dir not recreated: %v", err)
	}
	again, _, err := s.PutTree(context.Background(), dest, TreeOptions{})
	if err != nil || again != d {
		t.Fatalf("PutTree of the materialised tree = %s, %v; want %s", again, err, d)
	}
}

func TestMaterializeWritable(t *testing.T) {
	s := newStore(t)
	d := putSample(t, s)
	dest := filepath.Join(t.TempDir(), "work")
	if err := s.Materialize(context.Background(), d, dest, MaterializeOptions{Writable: true}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dest, "data", "train.csv")
	if err := os.WriteFile(p, []byte("mine now"), 0o644); err != nil {
		t.Fatalf("writable copy not writable: %v", err)
	}
	tree, _ := s.GetTree(d)
	e, _ := tree.Lookup("data/train.csv")
	if err := s.Verify(e.Digest); err != nil {
		t.Fatalf("writing the copy changed the object: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(dest, "bin", "run.sh")); fi.Mode().Perm() != 0o755 {
		t.Fatalf("writable executable mode = %v, want 0755", fi.Mode())
	}
}

func TestMaterializeDest(t *testing.T) {
	s := newStore(t)
	d := putSample(t, s)
	empty := t.TempDir()
	if err := s.Materialize(context.Background(), d, empty, MaterializeOptions{}); err != nil {
		t.Fatalf("empty dest refused: %v", err)
	}
	if err := s.Materialize(context.Background(), d, empty, MaterializeOptions{}); !errors.Is(err, ErrDestExists) {
		t.Fatalf("non-empty dest: err = %v, want ErrDestExists", err)
	}
	parent := t.TempDir()
	file := filepath.Join(parent, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	if err := s.Materialize(context.Background(), d, file, MaterializeOptions{}); !errors.Is(err, ErrDestExists) {
		t.Fatalf("file dest: err = %v, want ErrDestExists", err)
	}
	if err := s.MaterializeFile(context.Background(), core.DigestOf([]byte("x")), file, MaterializeOptions{}); !errors.Is(err, ErrDestExists) {
		t.Fatalf("MaterializeFile onto a file: err = %v, want ErrDestExists", err)
	}
	if left, _ := os.ReadDir(parent); len(left) != 1 {
		t.Fatalf("failed materialise left %d entries in the parent, want only the file", len(left))
	}
}

func TestMaterializeMissingObject(t *testing.T) {
	s := newStore(t)
	d := putSample(t, s)
	tree, _ := s.GetTree(d)
	e, _ := tree.Lookup("data/test.csv")
	s.Remove(e.Digest)
	parent := t.TempDir()
	err := s.Materialize(context.Background(), d, filepath.Join(parent, "x"), MaterializeOptions{})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if left, _ := os.ReadDir(parent); len(left) != 0 {
		t.Fatalf("half-done tree left behind: %v", left)
	}
}

func TestMaterializeFile(t *testing.T) {
	s := newStore(t)
	d, _ := s.PutBytes([]byte("model weights"))
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		opts     MaterializeOptions
		linked   bool
		writable bool
	}{
		{"link", MaterializeOptions{}, true, false},
		{"copy", MaterializeOptions{Copy: true}, false, false},
		{"writable", MaterializeOptions{Writable: true}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := s.MaterializeFile(context.Background(), d, p, tc.opts); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(p)
			if string(b) != "model weights" {
				t.Fatalf("content %q", b)
			}
			if got := inode(t, p) == inode(t, s.files.ObjectFile(d)); got != tc.linked {
				t.Errorf("hardlinked = %v, want %v", got, tc.linked)
			}
			fi, _ := os.Stat(p)
			if got := fi.Mode().Perm()&0o200 != 0; got != tc.writable {
				t.Errorf("mode %v: writable = %v, want %v", fi.Mode(), got, tc.writable)
			}
		})
	}
}

func TestMaterializeCorruptCopy(t *testing.T) {
	s := newStore(t)
	d := putSample(t, s)
	tree, _ := s.GetTree(d)
	e, _ := tree.Lookup("bin/run.sh") // executables are copied, so verified
	corrupt(t, s, e.Digest)
	err := s.Materialize(context.Background(), d, filepath.Join(t.TempDir(), "x"), MaterializeOptions{})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}
