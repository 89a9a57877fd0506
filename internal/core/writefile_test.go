package core

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomicReplacesWholeOrNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	if err := WriteFileAtomic(p, []byte("one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(b) != "two\n" || fi.Mode().Perm() != 0o644 {
		t.Errorf("got %q mode %v, want the second write with mode 0644", b, fi.Mode().Perm())
	}
	// A write that cannot finish (the target is a directory) leaves the
	// folder as it was: no temp file behind.
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(sub, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(sub, []byte("x"), 0o644); err == nil {
		t.Fatal("writing over a directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind %d entries, want only f.txt and sub", len(entries))
	}
}

func TestTailKeepsTheEnd(t *testing.T) {
	tail := &Tail{Max: 5}
	for _, s := range []string{"abc", "defg", "h"} {
		if n, err := tail.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got := tail.String(); got != "defgh" {
		t.Errorf("kept %q, want the last 5 bytes %q", got, "defgh")
	}
}

func TestTailWithoutMaxKeepsEverything(t *testing.T) {
	var tail Tail
	for range 3 {
		tail.Write([]byte("0123456789"))
	}
	if got := tail.String(); len(got) != 30 {
		t.Errorf("kept %d bytes, want all 30", len(got))
	}
}
