package sandbox

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestStepPathKeepsPATHAndExposesIt checks that a confined step gets the
// caller's PATH, with pyenv's shims replaced by the interpreter they
// select, and sees its folders (not the home folder) and that
// interpreter's prefix.
func TestStepPathKeepsPATHAndExposesIt(t *testing.T) {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	t.Setenv("HOME", home)
	tools := filepath.Join(root, "tools", "bin")
	writeFile(t, tools, "tool", "binary\n")
	writeFile(t, home, ".profile", "\n")
	pyenv := filepath.Join(root, "pyenv")
	version := filepath.Join(pyenv, "versions", "3.9")
	for _, f := range []struct{ dir, name, text string }{
		{pyenv, "shims/python3", "#!/usr/bin/env bash\nexec \"$PYENV_ROOT/libexec/pyenv\" exec python3 \"$@\"\n"},
		{pyenv, "libexec/pyenv", "#!/bin/sh\necho " + version + "/bin/$2\n"},
		{version, "bin/python3", "#!/bin/sh\nfor i in 1 2 3 4; do echo " + version + "; done\n"},
	} {
		if err := chmodX(writeFile(t, f.dir, f.name, f.text)); err != nil {
			t.Fatal(err)
		}
	}
	shims := filepath.Join(pyenv, "shims")
	path := tools + ":" + home + ":rel/bin:" + shims + ":/usr/bin:/bin"
	got, dirs, err := StepPath(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := tools + ":" + home + ":rel/bin:" + filepath.Join(version, "bin") + ":/usr/bin:/bin"; got != want {
		t.Errorf("PATH in the sandbox:\n got %s\nwant %s", got, want)
	}
	if want := []string{version, tools}; !reflect.DeepEqual(dirs, want) {
		t.Errorf("exposed %v, want %v (never the home folder, the shims or system folders)", dirs, want)
	}
}
