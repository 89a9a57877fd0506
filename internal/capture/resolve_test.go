package capture

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCapturePythonResolvesThroughPATH(t *testing.T) {
	needDebianPython(t)
	bin := t.TempDir()
	if err := os.Symlink(debianPython, filepath.Join(bin, "python3")); err != nil {
		t.Fatal(err)
	}
	env, err := Capture(context.Background(), Options{Command: "cd src && python3 -m train", PATH: bin + ":/nonexistent"})
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(debianPython)
	if env.Interpreter == nil || env.Interpreter.Path != real {
		t.Errorf("interpreter %+v, want path %s", env.Interpreter, real)
	}

	_, err = Capture(context.Background(), Options{Command: "python3 x.py", PATH: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "python3") {
		t.Errorf("missing interpreter: error %v, want one naming python3", err)
	}
}

func TestCapturePythonShimAndVenv(t *testing.T) {
	needDebianPython(t)
	real, _ := filepath.EvalSymlinks(debianPython)
	dir := t.TempDir()

	// A pyenv-style shim is a script; the interpreter it starts is recorded.
	shims := filepath.Join(dir, "shims")
	writeTree(t, shims, map[string]string{"python3": "#!/bin/sh\nexec " + debianPython + " \"$@\"\n"})
	if err := os.Chmod(filepath.Join(shims, "python3"), 0o755); err != nil {
		t.Fatal(err)
	}
	env, err := Capture(context.Background(), Options{Command: "python3 train.py", PATH: shims + ":/usr/bin"})
	if err != nil {
		t.Fatal(err)
	}
	if env.Interpreter.Path != real || env.Interpreter.Prefix != "/usr" {
		t.Errorf("through a shim: path %s prefix %s, want %s and /usr", env.Interpreter.Path, env.Interpreter.Prefix, real)
	}

	// A virtual environment: its prefix, its own packages, not the system's.
	out, err := exec.Command(debianPython, "-m", "venv", "--without-pip", filepath.Join(dir, "venv")).CombinedOutput()
	if err != nil {
		t.Skipf("cannot create a virtual environment (apt-get install python3-venv): %v %s", err, out)
	}
	site, err := filepath.Glob(filepath.Join(dir, "venv", "lib", "python3*", "site-packages"))
	if err != nil || len(site) != 1 {
		t.Fatalf("venv site-packages: %v %v", site, err)
	}
	writeDist(t, site[0], "torch-2.3.1.dist-info/METADATA", "torch", "2.3.1")
	env, err = Capture(context.Background(), Options{Command: "venv/bin/python train.py", PATH: "/usr/bin", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	in := env.Interpreter
	if in.Prefix != filepath.Join(dir, "venv") || in.Path != real {
		t.Errorf("venv: prefix %s path %s, want %s and %s", in.Prefix, in.Path, filepath.Join(dir, "venv"), real)
	}
	if p := findPackage(in.Packages, "torch"); p == nil || p.Version != "2.3.1" {
		t.Errorf("venv package torch: %+v", p)
	}
	if p := findPackage(in.Packages, "numpy"); p != nil {
		t.Errorf("venv without system site packages records the system's numpy %s", p.Version)
	}
}

func TestCapturePythonUserSite(t *testing.T) {
	needDebianPython(t)
	home := t.TempDir()
	out, err := exec.Command(debianPython, "-c", "import site; print(site.getusersitepackages())").Output()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(os.Getenv("HOME"), strings.TrimSpace(string(out)))
	if err != nil || strings.HasPrefix(rel, "..") {
		t.Skipf("user site %s is not below HOME", out)
	}
	writeDist(t, filepath.Join(home, rel), "userpkg-0.9.dist-info/METADATA", "userpkg", "0.9")
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"HOME given", map[string]string{"HOME": home}, true},
		{"no HOME: the step gets a private one", map[string]string{}, false},
		{"PYTHONNOUSERSITE", map[string]string{"HOME": home, "PYTHONNOUSERSITE": "1"}, false},
	}
	for _, tt := range tests {
		env, err := Capture(context.Background(), Options{Command: "python3 x.py", PATH: "/usr/bin", Env: tt.env})
		if err != nil {
			t.Fatal(err)
		}
		if got := findPackage(env.Interpreter.Packages, "userpkg") != nil; got != tt.want {
			t.Errorf("%s: user site package recorded = %v, want %v", tt.name, got, tt.want)
		}
	}
}
