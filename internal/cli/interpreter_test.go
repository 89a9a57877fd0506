package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/query"
)

// venvWithMarker makes a virtual environment holding a distribution
// marker_pkg 1.0, or skips the test when no venv can be made here.
func venvWithMarker(t *testing.T) string {
	t.Helper()
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command("python3", "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		t.Skipf("cannot create a virtual environment with python3 -m venv --without-pip: %v: %s", err, out)
	}
	site, err := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages"))
	if err != nil || len(site) != 1 {
		t.Fatalf("no site-packages in %s: %v", venv, site)
	}
	dist := filepath.Join(site[0], "marker_pkg-1.0.dist-info")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	meta := "Metadata-Version: 2.1\nName: marker_pkg\nVersion: 1.0\n"
	if err := os.WriteFile(filepath.Join(dist, "METADATA"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	return venv
}

// setEnv replaces or adds NAME=value in environ.
func setEnv(environ []string, name, value string) []string {
	out := slices.DeleteFunc(slices.Clone(environ), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
	return append(out, name+"="+value)
}

// TestTheInterpreterOnPATHRunsAndIsRecorded runs Python from a virtual
// environment first on PATH in every way a step may start it; each must
// run that environment and record its interpreter and packages.
func TestTheInterpreterOnPATHRunsAndIsRecorded(t *testing.T) {
	venv := venvWithMarker(t)
	flow := `flow: v
steps:
  direct:
    run: python3 show.py
  shell:
    run: sh -c "python3 show.py"
  shebang:
    run: ./show.py
  execs:
    run: ./run.sh
`
	show := "#!/usr/bin/env python3\nimport sys\nfrom importlib.metadata import version\nprint('prefix', sys.prefix)\nprint('marker', version('marker_pkg'))\n"
	p := newProject(t, flow, map[string]string{"show.py": show, "run.sh": "#!/bin/sh\n# start Python in place of this shell\nset -e\nexec python3 show.py\n"})
	for _, f := range []string{"show.py", "run.sh"} {
		if err := os.Chmod(filepath.Join(p.dir, f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p.environ = setEnv(p.environ, "PATH", filepath.Join(venv, "bin")+":"+os.Getenv("PATH"))
	p.mustRun(0, "run")

	var envs map[string]capture.Environment
	p.jsonOf(&envs, "env", "last")
	for _, step := range []string{"direct", "shell", "shebang", "execs"} {
		out := p.mustRun(0, "logs", "last", step).stdout
		if !strings.Contains(out, "prefix "+venv) || !strings.Contains(out, "marker 1.0") {
			t.Errorf("step %s did not run the virtual environment's Python:\n%s", step, out)
		}
		interp := envs[step].Interpreter
		if interp == nil {
			t.Errorf("step %s recorded no interpreter", step)
			continue
		}
		if interp.Prefix != venv {
			t.Errorf("step %s recorded prefix %s, want %s", step, interp.Prefix, venv)
		}
		if !slices.Contains(interp.Packages, capture.Package{Name: "marker-pkg", Version: "1.0"}) {
			t.Errorf("step %s recorded packages %v, want marker-pkg 1.0 among them", step, interp.Packages)
		}
	}
}

// TestAHiddenPYTHONPATHIsReported puts a folder the sandbox does not show
// on PYTHONPATH: the step is told, and its packages are not recorded.
func TestAHiddenPYTHONPATHIsReported(t *testing.T) {
	lib := t.TempDir()
	dist := filepath.Join(lib, "hidden_pkg-2.0.dist-info")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dist, "METADATA"), []byte("Metadata-Version: 2.1\nName: hidden_pkg\nVersion: 2.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := newProject(t, "flow: h\nsteps:\n  a:\n    run: python3 -c \"import sys; print('sees', any(p == '"+lib+"' for p in sys.path))\"\n", nil)
	p.environ = setEnv(p.environ, "PYTHONPATH", lib)
	p.mustRun(0, "run")
	var envs map[string]capture.Environment
	p.jsonOf(&envs, "env", "last")
	interp := envs["a"].Interpreter
	if interp == nil {
		t.Fatal("no interpreter recorded")
	}
	if !slices.Contains(interp.Hidden, lib) || slices.Contains(interp.Paths, lib) {
		t.Errorf("recorded paths %v, hidden %v: want %s hidden, not importable", interp.Paths, interp.Hidden, lib)
	}
	for _, pkg := range interp.Packages {
		if pkg.Name == "hidden-pkg" {
			t.Errorf("a package the step cannot import is recorded: %v", pkg)
		}
	}
	logs := p.mustRun(0, "logs", "last", "a").stdout
	if !strings.Contains(logs, lib) || !strings.Contains(logs, "environment.paths") {
		t.Errorf("the step's log does not say %s is hidden and how to expose it:\n%s", lib, logs)
	}
}

// TestUpgradingAPackageRerunsWrappedSteps starts Python through wrappers
// (timeout, nice, env, bash -c, a conditional, a pipeline); upgrading a
// package the interpreter sees must miss the cache for every one of them.
func TestUpgradingAPackageRerunsWrappedSteps(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("needs python3 on PATH")
	}
	lib := t.TempDir()
	writeDist := func(version string) {
		t.Helper()
		if err := os.RemoveAll(lib); err != nil {
			t.Fatal(err)
		}
		dist := filepath.Join(lib, "foo-"+version+".dist-info")
		if err := os.MkdirAll(dist, 0o755); err != nil {
			t.Fatal(err)
		}
		meta := "Metadata-Version: 2.1\nName: foo\nVersion: " + version + "\n"
		if err := os.WriteFile(filepath.Join(dist, "METADATA"), []byte(meta), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeDist("1.0")
	steps := map[string]string{
		"timeout":  `timeout 60 python3 -c 'pass'`,
		"nice":     `nice -n 5 python3 -c 'pass'`,
		"env":      `env A=1 python3 -c 'pass'`,
		"bash":     `bash -c "python3 -c 'pass'"`,
		"if":       `if test -d /; then python3 -c 'pass'; fi`,
		"pipeline": `echo x | python3 -c 'pass' | cat`,
	}
	flow := "flow: up\nenvironment:\n  paths: [" + lib + "]\nsteps:\n"
	for name, cmd := range steps {
		flow += "  " + name + ":\n    run: " + strconv.Quote(cmd) + "\n"
	}
	p := newProject(t, flow, nil)
	p.environ = setEnv(p.environ, "PYTHONPATH", lib)
	p.mustRun(0, "run")
	var envs map[string]capture.Environment
	p.jsonOf(&envs, "env", "last")
	for name := range steps {
		if interp := envs[name].Interpreter; interp == nil || !slices.Contains(interp.Packages, capture.Package{Name: "foo", Version: "1.0"}) {
			t.Errorf("step %s (%s) did not record foo 1.0: %+v", name, steps[name], interp)
		}
	}
	p.mustRun(0, "run")
	statuses := func() map[string]string {
		var show query.Showing
		p.jsonOf(&show, "show", "last")
		out := map[string]string{}
		for name, task := range show.Tasks {
			out[name] = task.Status
		}
		return out
	}
	for name, status := range statuses() {
		if status != core.StatusCached {
			t.Errorf("unchanged: step %s is %s, want cached", name, status)
		}
	}
	writeDist("2.0")
	p.mustRun(0, "run")
	for name, status := range statuses() {
		if status == core.StatusCached {
			t.Errorf("after foo 1.0 → 2.0: step %s (%s) was a cache hit", name, steps[name])
		}
	}
}
