package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// pyenvShimPath is the pyenv shim the Python probes use when this host has one.
const pyenvShimPath = "/root/.pyenv/shims/python3"

// TestPyenvPythonThroughToolchain resolves `python3` through a pyenv shim
// on PATH and runs it confined with only the system set and the prefix
// Toolchain names.
func TestPyenvPythonThroughToolchain(t *testing.T) {
	needBwrap(t)
	if !isExecutable(pyenvShimPath) {
		t.Skipf("no pyenv shim at %s", pyenvShimPath)
	}
	command := "python3 -c 'import json, sys; print(sys.prefix)'"
	path := filepath.Dir(pyenvShimPath) + ":/usr/bin:/bin"
	dirs, err := Toolchain(command, path)
	if err != nil {
		t.Fatalf("Toolchain: %v", err)
	}
	real, err := exec.Command(pyenvShimPath, "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		t.Fatal(err)
	}
	prefix := strings.TrimSpace(string(real))
	if want := []string{prefix}; !reflect.DeepEqual(dirs, want) {
		t.Fatalf("Toolchain(%q) = %q, want %q", command, dirs, want)
	}
	for _, tc := range []struct {
		name  string
		binds []Bind
		want  string
	}{
		{"with the toolchain", []Bind{{Src: prefix}}, prefix + "\n"},
		// Without the prefix, PATH falls through to the system's python3.
		{"without it", nil, "/usr\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, Bubblewrap, Spec{
				Argv: []string{"/bin/sh", "-c", command}, Env: []string{"PATH=" + prefix + "/bin:/usr/bin:/bin"},
				ReadOnly: tc.binds,
			})
			if r.err != nil || r.stdout != tc.want {
				t.Fatalf("%s: err %v, stdout %q, stderr %q; want %q", command, r.err, r.stdout, r.stderr, tc.want)
			}
		})
	}
}

// TestVirtualEnvToolchain checks that a virtual environment exposes both
// itself and the installation it was made from.
func TestVirtualEnvToolchain(t *testing.T) {
	needBwrap(t)
	if !isExecutable(pyenvShimPath) {
		t.Skipf("no pyenv shim at %s", pyenvShimPath)
	}
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(pyenvShimPath, "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		t.Fatalf("make venv: %v: %s", err, out)
	}
	base, err := exec.Command(pyenvShimPath, "-c", "import sys; print(sys.base_prefix)").Output()
	if err != nil {
		t.Fatal(err)
	}
	command := "python train.py"
	dirs, err := Toolchain(command, filepath.Join(venv, "bin")+":/usr/bin:/bin")
	if err != nil {
		t.Fatalf("Toolchain: %v", err)
	}
	want := []string{strings.TrimSpace(string(base)), venv}
	if !reflect.DeepEqual(dirs, want) {
		t.Fatalf("Toolchain(%q) = %q, want %q", command, dirs, want)
	}
	var binds []Bind
	for _, d := range dirs {
		binds = append(binds, Bind{Src: d})
	}
	r := run(t, Bubblewrap, Spec{
		Argv: []string{"python", "-c", "import sys; print(sys.prefix)"}, Env: []string{"PATH=" + venv + "/bin:/usr/bin:/bin"},
		ReadOnly: binds,
	})
	if r.err != nil || r.stdout != venv+"\n" {
		t.Fatalf("venv python: err %v, stdout %q, stderr %q; want %q", r.err, r.stdout, r.stderr, venv)
	}
}

// TestSystemPythonWithNumpy runs Debian's python3 with numpy using only
// the system set.
func TestSystemPythonWithNumpy(t *testing.T) {
	needBwrap(t)
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import numpy").Run(); err != nil {
		t.Skipf("%s has no numpy here: %v", python, err)
	}
	command := python + " -c 'import numpy; print(numpy.arange(4).sum())'"
	if dirs, err := Toolchain(command, os.Getenv("PATH")); err != nil || len(dirs) != 0 {
		t.Errorf("Toolchain(%q) = %q, %v; want nothing beyond the system set", command, dirs, err)
	}
	r := run(t, Bubblewrap, Spec{Argv: []string{"/bin/sh", "-c", command}, Env: []string{hostPath}})
	if r.err != nil || r.stdout != "6\n" {
		t.Fatalf("%s: err %v, stdout %q, stderr %q; want \"6\"", command, r.err, r.stdout, r.stderr)
	}
}
