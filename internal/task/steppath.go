package task

import (
	"fmt"
	"os"
	"strings"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/pyenv"
	"lockstep.dev/lockstep/internal/sandbox"
)

// stepPaths is what sandbox.StepPath said of one PATH: a task asks once,
// for its cache key, and uses the answer again to confine the step.
type stepPaths struct {
	path, stepPath string
	dirs           []string
	err            error
}

// newStepPaths asks sandbox.StepPath about path, or takes the answer
// another task of this process got a moment ago (see capture.Recent): the
// answer depends on the files of PATH's folders, the working folder and
// the variables that steer pyenv, and a run's steps share them all.
func newStepPaths(path string) *stepPaths {
	cwd, _ := os.Getwd()
	key := path + "\x00" + cwd
	for _, name := range pyenv.Steering {
		key += "\x00" + name + "=" + os.Getenv(name)
	}
	now := capture.Now()
	if p, ok := recentStepPaths.Get(key, now); ok {
		return p
	}
	p := &stepPaths{path: path}
	p.stepPath, p.dirs, p.err = sandbox.StepPath(path)
	if p.err == nil {
		recentStepPaths.Put(key, now, p)
	}
	return p
}

// recentStepPaths are the answers newStepPaths got lately.
var recentStepPaths capture.Recent[*stepPaths]

// of returns the answer for path: p's when p was asked about the same
// PATH, else a new one.
func (p *stepPaths) of(path string) *stepPaths {
	if p != nil && p.path == path {
		return p
	}
	return newStepPaths(path)
}

// confinedPATH gives a confined step the caller's PATH (pyenv shims
// replaced by what they select, as paths says) and exposes its directories
// and the interpreters it selects read-only, so that the programs the step
// starts, directly or through a shell or a script, are those the caller's
// PATH names. Directories at or below a restored archive are left to it.
func confinedPATH(spec *sandbox.Spec, paths *stepPaths, restore map[string]core.Digest) error {
	if paths.err != nil {
		return fmt.Errorf("expose the programs of PATH: %w", paths.err)
	}
	stepPath := paths.stepPath
	for _, d := range paths.dirs {
		restored := false
		for r := range restore {
			restored = restored || strings.HasPrefix(d+"/", r+"/")
		}
		if !restored {
			spec.ReadOnly = append(spec.ReadOnly, sandbox.Bind{Src: d})
		}
	}
	for i, kv := range spec.Env {
		if strings.HasPrefix(kv, "PATH=") {
			spec.Env[i] = "PATH=" + stepPath
		}
	}
	return nil
}

// stepCapture says how to capture the environment the step runs with: the
// PATH it sees, its working directory (scripts it starts are read from
// there) and, when confined, the directories it can see.
func stepCapture(s *core.TaskSpec, opts ExecOptions, spec sandbox.Spec, sandboxed bool) capture.Options {
	c := CaptureOptions(s, opts.Environ, spec.Dir, opts.SecretKey)
	c.CacheDir = opts.CacheDir
	for _, kv := range spec.Env {
		if p, ok := strings.CutPrefix(kv, "PATH="); ok {
			c.PATH = p
		}
	}
	if sandboxed {
		c.Visible = []string{}
		for _, b := range append(append(sandbox.SystemBinds(), spec.ReadOnly...), spec.Writable...) {
			if b.Dst == "" {
				b.Dst = b.Src
			}
			c.Visible = append(c.Visible, b.Dst)
		}
	}
	return c
}

// hiddenPathsWarning says which sys.path entries of the step's interpreter
// it cannot see, and how to expose them; "" when there are none.
func hiddenPathsWarning(env *capture.Environment) string {
	if env.Interpreter == nil || len(env.Interpreter.Hidden) == 0 {
		return ""
	}
	return fmt.Sprintf("lockstep: warning: the sandbox hides %s from %s (on its sys.path, e.g. through PYTHONPATH): nothing there is importable and its packages are not recorded; add it to environment.paths in the flow to expose it read-only\n",
		strings.Join(env.Interpreter.Hidden, ", "), env.Interpreter.Path)
}

// appendLog adds a line of lockstep's own to a step's log file.
func appendLog(file, line string) error {
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write log: %w", err)
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("write log: %w", err)
	}
	return f.Close()
}
