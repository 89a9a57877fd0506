package store

import (
	"context"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixture describes a directory: paths ending in "/" are empty dirs,
// values starting with "->" are symlinks, "x:" marks an executable file.
type fixture map[string]string

// writeFixture creates f under a new temp dir with mtimes old enough for
// the hash cache, and returns the dir.
func writeFixture(t testing.TB, f fixture) string {
	t.Helper()
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for rel, v := range f {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(rel, "/"):
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(v, "->"):
			err = os.Symlink(strings.TrimPrefix(v, "->"), p)
		case strings.HasPrefix(v, "x:"):
			err = os.WriteFile(p, []byte(strings.TrimPrefix(v, "x:")), 0o755)
		default:
			err = os.WriteFile(p, []byte(v), 0o644)
		}
		if err == nil && !strings.HasPrefix(v, "->") {
			err = os.Chtimes(p, old, old)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var sample = fixture{
	"README.md":        "# sample\n",
	"data/train.csv":   "a,b\n1,2\n",
	"data/test.csv":    "a,b\n3,4\n",
	"bin/run.sh":       "x:#!/bin/sh\necho hi\n",
	"link-to-train":    "->data/train.csv",
	"data/up":          "->../README.md",
	"empty/":           "",
	"deep/nested/one/": "",
}

func TestPutTreeGolden(t *testing.T) {
	s := newStore(t)
	d, tree, err := s.PutTree(context.Background(), writeFixture(t, sample), TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.ReadBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sample-tree.json")
	if *update {
		if err := os.WriteFile(golden, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != string(want) {
		t.Fatalf("tree manifest changed:\n got %s\nwant %s\n(run go test -update if the change is intended)", raw, want)
	}
	if canon, _ := core.CanonicalJSON(tree); string(canon) != string(raw) {
		t.Fatalf("stored manifest is not core.CanonicalJSON of the tree:\n got %s\nwant %s", raw, canon)
	}
	got, err := s.GetTree(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != len(tree.Entries) || len(got.Entries) != len(sample) {
		t.Fatalf("GetTree: %d entries, PutTree: %d, fixture: %d", len(got.Entries), len(tree.Entries), len(sample))
	}
	for _, e := range got.Entries {
		if e.Kind == core.KindFile && !s.Has(e.Digest) {
			t.Errorf("file %s: object %s missing", e.Path, e.Digest)
		}
	}
}

func TestPutTreeDeterministic(t *testing.T) {
	s := newStore(t)
	a := writeFixture(t, sample)
	b := writeFixture(t, sample) // different inodes, creation order and mtimes
	newer := time.Now().Add(-3 * time.Hour)
	if err := os.Chtimes(filepath.Join(b, "data", "train.csv"), newer, newer); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(b, "README.md"), 0o600); err != nil { // same exec bit, other perms
		t.Fatal(err)
	}
	da, _, err := s.PutTree(context.Background(), a, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db, _, err := s.PutTree(context.Background(), b, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if da != db {
		t.Fatalf("same content, different digests: %s %s", da, db)
	}
	link := filepath.Join(t.TempDir(), "link-to-b")
	if err := os.Symlink(b, link); err != nil {
		t.Fatal(err)
	}
	if dl, _, err := s.PutTree(context.Background(), link, TreeOptions{}); err != nil || dl != da {
		t.Fatalf("PutTree through a symlink to the dir = %s, %v; want %s", dl, err, da)
	}
	if err := os.WriteFile(filepath.Join(b, "data", "test.csv"), []byte("a,b\n3,5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if dc, _, _ := s.PutTree(context.Background(), b, TreeOptions{}); dc == da {
		t.Fatal("changed content, same digest")
	}
}

func TestPutTreeFilter(t *testing.T) {
	s := newStore(t)
	dir := writeFixture(t, fixture{
		"keep.txt": "k", ".git/HEAD": "ref", ".git/objects/x": "o", "skip.tmp": "t", "sub/a.tmp": "t",
	})
	var asked []string
	_, tree, err := s.PutTree(context.Background(), dir, TreeOptions{Filter: func(rel string, isDir bool) bool {
		asked = append(asked, rel)
		return rel != ".git" && !strings.HasSuffix(rel, ".tmp")
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tree.Entries {
		got = append(got, e.Kind+":"+e.Path)
	}
	if want := "file:keep.txt dir:sub"; strings.Join(got, " ") != want {
		t.Fatalf("entries %v, want %s", got, want)
	}
	for _, rel := range asked {
		if strings.HasPrefix(rel, ".git/") {
			t.Fatalf("filter asked about %s under a left-out dir", rel)
		}
	}
}

func TestPutTreeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(dir string) error
		want string
	}{
		{"absolute symlink", func(dir string) error { return os.Symlink("/etc/passwd", filepath.Join(dir, "l")) }, "absolute"},
		{"symlink out of tree", func(dir string) error {
			os.Mkdir(filepath.Join(dir, "a"), 0o755)
			return os.Symlink("../../x", filepath.Join(dir, "a", "l"))
		}, "outside the tree"},
		{"fifo", func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644) }, "named pipe"},
		{"socket", func(dir string) error {
			l, err := net.Listen("unix", filepath.Join(dir, "sock"))
			if err == nil {
				t.Cleanup(func() { l.Close() })
			}
			return err
		}, "socket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			dir := writeFixture(t, fixture{"ok.txt": "fine"})
			if err := tc.make(dir); err != nil {
				t.Fatal(err)
			}
			_, _, err := s.PutTree(context.Background(), dir, TreeOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
				t.Fatalf("err = %v, want one naming the path and saying %q", err, tc.want)
			}
		})
	}
}

func TestPutTreeMove(t *testing.T) {
	s := newStore(t)
	dir := writeFixture(t, sample)
	want, _, _ := newStore(t).PutTree(context.Background(), dir, TreeOptions{})
	linked := filepath.Join(t.TempDir(), "other-link")
	if err := os.Link(filepath.Join(dir, "data", "test.csv"), linked); err != nil {
		t.Fatal(err)
	}
	d, _, err := s.PutTree(context.Background(), dir, TreeOptions{Move: true})
	if err != nil || d != want {
		t.Fatalf("PutTree with Move = %s, %v; want %s", d, err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("moved file still in the source dir: %v", err)
	}
	// A file with another hardlink is copied, so the object can never be
	// changed through that link.
	os.Chmod(linked, 0o644)
	if err := os.WriteFile(linked, []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	tree, _ := s.GetTree(d)
	e, _ := tree.Lookup("data/test.csv")
	if err := s.Verify(e.Digest); err != nil {
		t.Fatalf("object changed through an outside hardlink: %v", err)
	}
}

func TestHashTreeMatchesPutTreeWithoutStoring(t *testing.T) {
	s := newStore(t)
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "a.txt"), "alpha")
	mustWrite(t, filepath.Join(dir, "sub", "b.bin"), "beta")
	hashed, _, err := s.HashTree(context.Background(), dir, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Has(core.DigestOf([]byte("alpha"))) {
		t.Fatal("HashTree stored a file")
	}
	put, _, err := s.PutTree(context.Background(), dir, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if hashed != put {
		t.Fatalf("HashTree %s, PutTree %s", hashed, put)
	}
}

func TestExternalLinksCopy(t *testing.T) {
	s := newStore(t)
	outside := filepath.Join(t.TempDir(), "python3.11")
	mustWrite(t, outside, "#!interpreter")
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "pyvenv.cfg"), "home = /usr/bin")
	os.MkdirAll(filepath.Join(dir, "bin"), 0o755)
	if err := os.Symlink(outside, filepath.Join(dir, "bin", "python")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/nonexistent/x", filepath.Join(dir, "bin", "dangling")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PutTree(context.Background(), dir, TreeOptions{}); err == nil {
		t.Fatal("an absolute symlink was accepted by default")
	}
	_, tree, err := s.PutTree(context.Background(), dir, TreeOptions{ExternalLinks: LinkCopy})
	if err != nil {
		t.Fatal(err)
	}
	e, ok := tree.Lookup("bin/python")
	if !ok || e.Kind != core.KindFile || e.Digest != core.DigestOf([]byte("#!interpreter")) {
		t.Fatalf("bin/python recorded as %+v", e)
	}
	if _, ok := tree.Lookup("bin/dangling"); ok {
		t.Fatal("a dangling external link was recorded")
	}
}

func mustWrite(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
