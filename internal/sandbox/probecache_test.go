package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/hostcache"
)

// TestPyenvIsAskedOncePerHost checks that what a pyenv shim selects is
// remembered across processes (each executor is one), and asked again
// when a .python-version file that steers pyenv appears.
func TestPyenvIsAskedOncePerHost(t *testing.T) {
	root := t.TempDir()
	pyenv := filepath.Join(root, "pyenv")
	calls := filepath.Join(root, "calls")
	for _, v := range []string{"3.9", "3.12"} {
		writeFile(t, filepath.Join(pyenv, "versions", v, "bin"), "python3", "#!/bin/sh\necho "+filepath.Join(pyenv, "versions", v)+"\n")
	}
	// pyenv's stand-in selects 3.12 where a .python-version says so,
	// else 3.9, and counts how often it is asked.
	writeFile(t, pyenv, "shims/python3", "#!/usr/bin/env bash\nexec \"$PYENV_ROOT/libexec/pyenv\" exec python3 \"$@\"\n")
	writeFile(t, pyenv, "libexec/pyenv", "#!/bin/sh\necho x >> "+calls+"\nv=3.9\n[ -f .python-version ] && v=$(cat .python-version)\necho "+pyenv+"/versions/$v/bin/$2\n")
	old := time.Now().Add(-time.Hour)
	filepath.Walk(pyenv, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			os.Chmod(p, 0o755)
		}
		return os.Chtimes(p, old, old)
	})
	project := filepath.Join(root, "project")
	if err := os.MkdirAll(project, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(project)
	cacheDir := filepath.Join(root, "cache")
	t.Cleanup(func() { hostcache.Use("") })
	path := filepath.Join(pyenv, "shims") + ":/usr/bin:/bin"
	stepPath := func() string {
		hostcache.Use(cacheDir) // a new process over the same cache folder
		got, _, err := StepPath(path)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	asked := func() int {
		b, _ := os.ReadFile(calls)
		return strings.Count(string(b), "x")
	}
	for range 3 {
		if got := stepPath(); !strings.HasPrefix(got, filepath.Join(pyenv, "versions", "3.9", "bin")+":") {
			t.Fatalf("PATH %s, want pyenv's 3.9 first", got)
		}
	}
	if n := asked(); n != 1 {
		t.Fatalf("pyenv asked %d times by three processes, want once", n)
	}
	versionFile := filepath.Join(project, ".python-version")
	if err := os.WriteFile(versionFile, []byte("3.12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := stepPath(); !strings.HasPrefix(got, filepath.Join(pyenv, "versions", "3.12", "bin")+":") {
		t.Fatalf("after .python-version chose 3.12: PATH %s, want pyenv asked again", got)
	}
}
