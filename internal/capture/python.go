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

	"lockstep.dev/lockstep/internal/hostcache"
	"lockstep.dev/lockstep/internal/pyenv"
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
	// A pyenv shim picks its interpreter anew each time it starts, which
	// takes pyenv a good part of a second: ask pyenv (through the host
	// cache) which one it picks here, and ask that interpreter.
	if head, err := pyenv.Head(exe); err == nil {
		if root, ok := pyenv.Shim(exe, head); ok {
			if exe, err = pyenv.Which(root, filepath.Base(exe), env["PATH"], opts.Dir, environList(env)); err != nil {
				return nil, err
			}
		}
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

// askPython returns the interpreter's sys.version, sys.prefix and
// sys.path as it gives them to the step's environment, from the cache when
// nothing that steers them changed.
func askPython(ctx context.Context, run pyRun, env map[string]string) (pyInfo, error) {
	key, cacheable := pyCacheKey(run, env)
	if !cacheable {
		return queryPython(ctx, run, env)
	}
	pyCache.Lock()
	info, ok := pyCache.m[key]
	pyCache.Unlock()
	if ok {
		return info, nil
	}
	// Remembered for the host too (every executor is a process of its
	// own), valid while the interpreter, a virtual environment's
	// pyvenv.cfg and the folders on its sys.path keep their identity: a
	// .pth file added to site-packages changes its folder.
	real, _ := filepath.EvalSymlinks(run.exe)
	steering := []string{real, filepath.Join(filepath.Dir(run.exe), "pyvenv.cfg"), filepath.Join(filepath.Dir(filepath.Dir(run.exe)), "pyvenv.cfg")}
	info, err := hostcache.Remember(hostcache.Shared(), "python\x00"+key, steering, func() (pyInfo, []string, error) {
		info, err := queryPython(ctx, run, env)
		return info, append(absolute(info.Path), userSite(env["HOME"], info.Version)), err
	})
	if err != nil {
		return pyInfo{}, err
	}
	pyCache.Lock()
	pyCache.m[key] = info
	pyCache.Unlock()
	return info, nil
}

// userSite returns the user site-packages folder of a Python version
// under home, which joins sys.path once it exists.
func userSite(home, version string) string {
	f := strings.Fields(version)
	if home == "" || len(f) == 0 {
		return ""
	}
	v := strings.Split(f[0], ".")
	if len(v) < 2 {
		return ""
	}
	return filepath.Join(home, ".local", "lib", "python"+v[0]+"."+v[1], "site-packages")
}

// absolute returns the absolute paths among paths.
func absolute(paths []string) []string {
	var out []string
	for _, p := range paths {
		if filepath.IsAbs(p) {
			out = append(out, p)
		}
	}
	return out
}

// queryPython runs the interpreter once with the step's environment and
// returns its answer to pyQuery.
func queryPython(ctx context.Context, run pyRun, env map[string]string) (pyInfo, error) {
	exe := run.exe
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
	// The working directory changes sys.path only through relative
	// PYTHONPATH entries (each task has a folder of its own, so keying
	// on it otherwise would never find an answer another task got).
	dir := ""
	if relativeEntry(env["PYTHONPATH"]) {
		dir = run.dir
	}
	fmt.Fprintf(&b, "%s\x00%s\x00%d\x00%d\x00%s\x00%s", run.exe, real, stamp.size, stamp.mtime, dir, run.flags)
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

// relativeEntry reports whether a PYTHONPATH value has an entry that is
// not absolute (an empty one means the working directory).
func relativeEntry(pythonPath string) bool {
	if pythonPath == "" {
		return false
	}
	for _, e := range filepath.SplitList(pythonPath) {
		if !filepath.IsAbs(e) {
			return true
		}
	}
	return false
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
