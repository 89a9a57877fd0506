package pyenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/hostcache"
)

// TestWhichFollowsTheFolderItStartsFrom checks that Which asks pyenv
// from the step's folder, with PYENV_ROOT set as a shim sets it, that a
// .python-version there steers the answer, and that the answer outlives
// the process until such a file changes.
func TestWhichFollowsTheFolderItStartsFrom(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pyenv")
	calls := filepath.Join(t.TempDir(), "calls")
	write := func(name, text string) {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Hour)
		os.Chtimes(p, old, old)
	}
	write("versions/3.9/bin/python3", "#!/bin/sh\n")
	write("versions/3.12/bin/python3", "#!/bin/sh\n")
	write("shims/python3", "#!/usr/bin/env bash\nexport PYENV_ROOT=\""+root+"\"\nexec \"$PYENV_ROOT/libexec/pyenv\" exec python3 \"$@\"\n")
	write("libexec/pyenv", "#!/bin/sh\necho x >> "+calls+"\nv=3.9\n[ -f .python-version ] && v=$(cat .python-version)\necho \"$PYENV_ROOT/versions/$v/bin/$2\"\n")
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(root, "versions"), old, old) // a folder changed just now is not trusted
	head, err := Head(filepath.Join(root, "shims", "python3"))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := Shim(filepath.Join(root, "shims", "python3"), head); !ok || got != root {
		t.Fatalf("Shim = %q, %v; want pyenv's root", got, ok)
	}
	project := t.TempDir()
	cacheDir := t.TempDir()
	t.Cleanup(func() { hostcache.Use("") })
	which := func() string {
		hostcache.Use(cacheDir) // a process of its own
		got, err := Which(root, "python3", "/usr/bin:/bin", project, []string{"HOME=/nonexistent"})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for range 2 {
		if got, want := which(), filepath.Join(root, "versions", "3.9", "bin", "python3"); got != want {
			t.Fatalf("Which = %s, want %s", got, want)
		}
	}
	if b, _ := os.ReadFile(calls); strings.Count(string(b), "x") != 1 {
		t.Fatalf("pyenv asked %d times by two processes, want once", strings.Count(string(b), "x"))
	}
	if err := os.WriteFile(filepath.Join(project, ".python-version"), []byte("3.12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := which(), filepath.Join(root, "versions", "3.12", "bin", "python3"); got != want {
		t.Fatalf("after the project's .python-version chose 3.12: Which = %s, want %s", got, want)
	}
}
