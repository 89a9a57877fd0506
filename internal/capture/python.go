package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrNoInterpreter is returned when a command names a Python interpreter
// that cannot be found on its PATH.
var ErrNoInterpreter = errors.New("interpreter not found")

// pyQuery prints what Capture needs to know from the interpreter itself,
// after a marker so that output from a sitecustomize module is skipped.
const pyQuery = `import sys, json
sys.stdout.write("\nlockstep-python-info:" + json.dumps({"executable": sys.executable, "version": sys.version, "prefix": sys.prefix, "path": sys.path}) + "\n")`

const pyMarker = "\nlockstep-python-info:"

// pyInfo is the interpreter's answer to pyQuery.
type pyInfo struct {
	Executable string   `json:"executable"`
	Version    string   `json:"version"`
	Prefix     string   `json:"prefix"`
	Path       []string `json:"path"`
}

// noHome is the HOME the interpreter is asked with when the step's
// environment has none: a directory that does not exist.
const noHome = "/nonexistent"

// pySteering are the variables (besides every PYTHON* one) that change
// which interpreter runs or what its sys.path holds.
var pySteering = []string{"HOME", "VIRTUAL_ENV", "CONDA_PREFIX", "PYENV_VERSION", "PYENV_ROOT"}

// pyCache remembers answers by interpreter file, its size and modification
// time, the steering variables and the working directory. Scripts (such
// as pyenv shims, which pick an interpreter anew each time) are asked
// every time.
var pyCache = struct {
	sync.Mutex
	m map[string]pyInfo
}{m: map[string]pyInfo{}}

// capturePython describes the Python interpreter the command starts, or
// returns nil when the command does not start one.
func capturePython(ctx context.Context, opts Options) (*Interpreter, error) {
	start := stepEnv(opts)
	call := locatePython(opts.Command, opts.Dir, start["PATH"], maxScriptDepth)
	if call == nil {
		return nil, nil
	}
	env := call.apply(start)
	if _, ok := env["HOME"]; !ok {
		// A step whose environment names no HOME is given a private, empty
		// one when it runs, so the invoking user's site-packages
		// (~/.local/lib/pythonX.Y) are not what it imports.
		env["HOME"] = noHome
	}
	exe, err := lookPath(call.Word, env["PATH"], opts.Dir)
	if err != nil {
		return nil, err
	}
	info, err := askPython(ctx, pyRun{exe, call.Flags, opts.Dir}, env)
	if err != nil {
		return nil, err
	}
	interp := &Interpreter{Kind: "python", Prefix: info.Prefix, Paths: []string{}}
	if v := strings.Fields(info.Version); len(v) > 0 {
		interp.Version = v[0] // "3.11.2 (main, ...) [GCC 12.2.0]"
	}
	interp.Path = info.Executable
	if interp.Path == "" {
		interp.Path = exe
	}
	if real, err := filepath.EvalSymlinks(interp.Path); err == nil {
		interp.Path = real
	}
	for _, p := range info.Path {
		if p == "" || !filepath.IsAbs(p) {
			continue // the working directory: the project's code, snapshotted apart
		}
		p = filepath.Clean(p)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if opts.Visible != nil && !slices.ContainsFunc(opts.Visible, func(v string) bool { return within(p, v) }) {
			interp.Hidden = append(interp.Hidden, p)
			continue
		}
		interp.Paths = append(interp.Paths, p)
	}
	if interp.Packages, err = pythonPackages(interp.Paths); err != nil {
		return nil, err
	}
	return interp, nil
}

// pyRun is how the step starts its interpreter: the program, the options
// that change sys.path and the working directory.
type pyRun struct {
	exe, flags, dir string
}

// askPython runs the interpreter once with the step's environment and
// returns its sys.version, sys.prefix and sys.path, from the cache when
// nothing that steers them changed.
func askPython(ctx context.Context, run pyRun, env map[string]string) (pyInfo, error) {
	exe := run.exe
	key, cacheable := pyCacheKey(run, env)
	if cacheable {
		pyCache.Lock()
		info, ok := pyCache.m[key]
		pyCache.Unlock()
		if ok {
			return info, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	args := []string{"-c", pyQuery}
	if run.flags != "" {
		args = append([]string{run.flags}, args...)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = environList(env)
	cmd.Dir = run.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return pyInfo{}, fmt.Errorf("ask %s for sys.path: %w: %s", exe, err, lastLine(stderr.String()))
	}
	i := bytes.LastIndex(out, []byte(pyMarker))
	var info pyInfo
	if i < 0 {
		return pyInfo{}, fmt.Errorf("ask %s for sys.path: no answer in its output", exe)
	}
	if err := json.Unmarshal(bytes.TrimSpace(out[i+len(pyMarker):]), &info); err != nil {
		return pyInfo{}, fmt.Errorf("ask %s for sys.path: %w", exe, err)
	}
	if cacheable {
		pyCache.Lock()
		pyCache.m[key] = info
		pyCache.Unlock()
	}
	return info, nil
}

// pyCacheKey names one interpreter answer; cacheable is false for scripts.
func pyCacheKey(run pyRun, env map[string]string) (key string, cacheable bool) {
	real, err := filepath.EvalSymlinks(run.exe)
	if err != nil || isScript(real) {
		return "", false
	}
	stamp, err := stampOf(real)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\x00%s\x00%d\x00%d\x00%s\x00%s", run.exe, real, stamp.size, stamp.mtime, run.dir, run.flags)
	names := make([]string, 0, len(env))
	for name := range env {
		if strings.HasPrefix(name, "PYTHON") || slices.Contains(pySteering, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "\x00%s=%s", name, env[name])
	}
	return b.String(), true
}

// isScript reports whether the file starts with "#!".
func isScript(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 2)
	n, _ := f.Read(head)
	return n == 2 && string(head) == "#!"
}

// lastLine returns the last non-empty line of s, for error messages.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// within reports whether the clean absolute path p is dir or lies below it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
