package task

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sandbox"
	"lockstep.dev/lockstep/internal/store"
)

// ExecOptions are the caller's side of a task execution.
type ExecOptions struct {
	// Stdout and Stderr receive the step's output live (may be nil).
	Stdout, Stderr io.Writer
	// Environ is the executing process's environment; only allowlisted
	// variables and those the step names reach the step.
	Environ []string
	// Keep leaves the task's work folder in place (for debugging).
	Keep bool
	// WorkDir is the folder task work folders and shared trees are made
	// in (the home's work folder, which gc empties); required.
	WorkDir string
	// Cache finds earlier tasks by final key; nil runs every task.
	Cache CacheIndex
	// SecretKey seals the values of secret variables in the environment
	// record (the home's key, see capture.Secrets); nil records them as
	// capture.Redacted.
	SecretKey []byte
	// CacheDir is where the verification of installed files is remembered
	// between tasks (the home's cache folder); "" remembers it in memory.
	CacheDir string
}

// Exec runs, here, the task whose spec is stored under specDigest and
// writes its record to the store. Here is where the task is checked
// against this host (the sandbox it requires), where its environment is
// captured and its final cache key computed, and where an earlier task
// with that key is reused instead of running the command again. A step
// that fails (no sandbox, non-zero exit, a missing output, an unsafe file)
// still yields a record with Status failed and a nil error; the error is
// for problems that prevent an honest record (the spec or an input missing
// from the store, the store unwritable).
func Exec(ctx context.Context, st *store.Store, specDigest core.Digest, opts ExecOptions) (*core.TaskRecord, core.Digest, error) {
	var s core.TaskSpec
	if err := st.GetJSON(specDigest, &s); err != nil {
		return nil, "", fmt.Errorf("read task spec %s: %w", specDigest, err)
	}
	if err := s.Validate(); err != nil {
		return nil, "", err
	}
	rec := &core.TaskRecord{
		Type: core.TaskType, Run: s.Run, Step: s.Step, Spec: specDigest,
		Command: s.Command, Code: s.Code, Inputs: s.Inputs, Outputs: map[string]core.Artifact{},
		Params: s.Params, Seed: s.Seed, Item: s.Item, Sandbox: s.Sandbox, Network: s.Network,
		PlanKey: s.PlanKey, Started: time.Now().UTC(), Placement: Placement(opts.Environ),
	}
	if err := prepare(ctx, st, &s, specDigest, rec, opts); err != nil {
		return nil, "", err
	}
	rec.Finished = time.Now().UTC()
	d, err := st.PutJSON(rec)
	if err != nil {
		return nil, "", fmt.Errorf("write task record %s: %w", s.Step, err)
	}
	return rec, d, nil
}

// Runner returns a function that runs, in this process, the task whose
// spec is stored under a digest, as Exec does with opts and the step's
// output streamed to stdout and stderr, and returns the digest of its
// record: what a backend that runs tasks here calls instead of starting
// `lockstep task exec`. secretKey is asked for opts.SecretKey on first use.
func Runner(st *store.Store, opts ExecOptions, secretKey func() ([]byte, error)) func(ctx context.Context, spec core.Digest, stdout, stderr io.Writer) (core.Digest, error) {
	key := sync.OnceValues(secretKey)
	return func(ctx context.Context, spec core.Digest, stdout, stderr io.Writer) (core.Digest, error) {
		o := opts
		o.Stdout, o.Stderr = stdout, stderr
		var err error
		if o.SecretKey, err = key(); err != nil {
			return "", err
		}
		_, d, err := Exec(ctx, st, spec, o)
		if err != nil {
			return "", fmt.Errorf("task exec %s: %w", spec.Short(), err)
		}
		return d, nil
	}
}

// prepare fills rec: it checks the sandbox, captures the environment,
// computes the final key, and reuses a cached task or runs this one.
func prepare(ctx context.Context, st *store.Store, s *core.TaskSpec, specDigest core.Digest, rec *core.TaskRecord, opts ExecOptions) error {
	if sandbox.Mode(s.Sandbox) == sandbox.Bubblewrap {
		if err := sandbox.Available(); err != nil {
			fail(rec, "step %s requires a sandbox, but on host %s: %v", s.Step, hostname(), err)
			rec.ExitCode = -1
			return nil
		}
	}
	// The final key names the environment as this host gives it to the
	// step: its variables (secrets sealed) and, confined, the PATH it
	// sees. A task that runs records it again below, as the sandbox
	// finally shows it (what it hides from the interpreter included).
	keyed := CaptureOptions(s, opts.Environ, "", opts.SecretKey)
	keyed.CacheDir = opts.CacheDir
	var paths *stepPaths
	if sandbox.Mode(s.Sandbox) == sandbox.Bubblewrap {
		if paths = newStepPaths(keyed.PATH); paths.err == nil {
			keyed.PATH = paths.stepPath
		}
	}
	envRec, err := capture.Capture(ctx, keyed)
	if err != nil {
		return fmt.Errorf("capture environment: %w", err)
	}
	if rec.Environment, err = st.PutJSON(envRec); err != nil {
		return fmt.Errorf("store environment: %w", err)
	}
	if rec.CacheKey, err = FinalKey(st, s.PlanKey, rec.Environment); err != nil {
		return fmt.Errorf("store cache key: %w", err)
	}
	cached, err := fromCache(ctx, st, opts.Cache, s, specDigest, rec.CacheKey)
	if err != nil {
		return fmt.Errorf("look up the cache: %w", err)
	}
	if cached != nil {
		*rec = *cached
		return nil
	}
	dirs, err := newWorkDirs(opts.WorkDir, s.Run, s.Step)
	if err != nil {
		return err
	}
	if !opts.Keep {
		defer dirs.remove()
	}
	return execute(ctx, st, s, dirs, rec, paths, opts)
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "(unknown)"
	}
	return h
}

// fail marks the record failed with a message for the user.
func fail(rec *core.TaskRecord, format string, args ...any) {
	rec.Status = core.StatusFailed
	rec.Error = fmt.Sprintf(format, args...)
}

func execute(ctx context.Context, st *store.Store, s *core.TaskSpec, dirs workDirs, rec *core.TaskRecord, paths *stepPaths, opts ExecOptions) error {
	// Without the sandbox's read-only mount, nothing the step can write
	// may be a link to an object: it gets its own copies, rechecked after.
	sandboxed := sandbox.Mode(s.Sandbox) == sandbox.Bubblewrap
	code, err := codeFolder(ctx, st, s, dirs, opts.WorkDir, sandboxed)
	if err != nil {
		return fmt.Errorf("code snapshot: %w", err)
	}
	in, err := materialiseInputs(ctx, st, s, dirs, opts.WorkDir, sandboxed)
	if err != nil {
		return err
	}
	inputs := in.paths
	allowed, msg, err := scanInputs(ctx, st, s, in.onHost())
	if err != nil {
		return err
	} else if msg != "" {
		fail(rec, "%s", msg)
		rec.ExitCode = -1
		return nil
	}
	rec.Files = append(rec.Files, allowed...)
	warnAllowed(opts.Stderr, allowed)
	env, recorded, err := contractEnv(s, opts.Environ, dirs, inputs)
	if err != nil {
		return err
	}

	spec := sandbox.Spec{
		Argv: []string{"/bin/sh", "-c", s.Command}, Dir: code, Env: env, Network: s.Network,
		ReadOnly: []sandbox.Bind{{Src: code}, {Src: dirs.root}},
		Writable: []sandbox.Bind{{Src: dirs.out}, {Src: dirs.tmp}, {Src: dirs.home}, {Src: filepath.Dir(dirs.metrics)}},
	}
	var tool []string
	if sandbox.Mode(s.Sandbox) == sandbox.Bubblewrap || s.ArchiveEnv {
		if tool, err = sandbox.Toolchain(s.Command, recorded["PATH"]); err != nil {
			return fmt.Errorf("find the toolchain of %q: %w", s.Command, err)
		}
	}
	if sandboxed {
		spec.ReadOnly = append(append(sandbox.SystemBinds(), spec.ReadOnly...), in.binds...)
		if err := confinedPATH(&spec, paths.of(recorded["PATH"]), s.Restore); err != nil {
			return err
		}
		for _, p := range append(tool, s.Paths...) {
			if _, restoring := s.Restore[p]; !restoring {
				spec.ReadOnly = append(spec.ReadOnly, sandbox.Bind{Src: p})
			}
		}
		// An archived environment is mounted over the host's, at the same paths.
		restored, err := restoreBinds(ctx, st, opts.WorkDir, s.Restore)
		if err != nil {
			return err
		}
		spec.ReadOnly = append(spec.ReadOnly, restored...)
		rec.Restored = s.Restore
	}
	envRec, err := capture.Capture(ctx, stepCapture(s, opts, spec, sandboxed))
	if err != nil {
		return fmt.Errorf("capture environment: %w", err)
	}
	if rec.Environment, err = st.PutJSON(envRec); err != nil {
		return fmt.Errorf("store environment: %w", err)
	}
	if s.ArchiveEnv {
		if rec.Toolchain, err = archive(ctx, st, archiveDirs(tool, s.Paths, envRec)); err != nil {
			return err
		}
	}
	warning := hiddenPathsWarning(envRec)
	if warning != "" && opts.Stderr != nil {
		fmt.Fprint(opts.Stderr, warning)
	}
	runCtx := ctx
	if limit := time.Duration(s.Resources.TimeSeconds) * time.Second; limit > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	exitCode, signal, peak, err := runCommand(runCtx, s, spec, dirs, opts)
	if err != nil {
		return err
	}
	timedOut := runCtx.Err() == context.DeadlineExceeded && ctx.Err() == nil
	rec.ExitCode, rec.PeakRSS = exitCode, peak
	if warning != "" {
		if err := appendLog(dirs.stderr, warning); err != nil {
			return err
		}
	}
	if rec.Stdout, _, err = st.PutFile(ctx, dirs.stdout); err != nil {
		return fmt.Errorf("store stdout: %w", err)
	}
	if rec.Stderr, _, err = st.PutFile(ctx, dirs.stderr); err != nil {
		return fmt.Errorf("store stderr: %w", err)
	}
	if !sandboxed {
		msg, err := changedInput(ctx, st, inputs, s, code)
		if err != nil {
			return err
		}
		if msg != "" {
			fail(rec, "step %s failed: %s", s.Step, msg)
			return nil
		}
	}
	if timedOut {
		fail(rec, "step %s ran out of its time limit (resources.time: %s) and was stopped", s.Step, time.Duration(s.Resources.TimeSeconds)*time.Second)
		return nil
	}
	if exitCode != 0 {
		msg := fmt.Sprintf("step %s exited with code %d", s.Step, exitCode)
		if signal != "" {
			msg = fmt.Sprintf("step %s was killed by signal %s", s.Step, signal)
		}
		if hint := sandbox.Explain(tail(dirs.stderr, 64<<10), spec); hint != "" && sandbox.Mode(s.Sandbox) == sandbox.Bubblewrap {
			msg += ": " + hint
		}
		fail(rec, "%s", msg)
		return nil
	}
	if ctx.Err() != nil {
		fail(rec, "step %s was interrupted", s.Step)
		return nil
	}
	before := len(rec.Files)
	if err := collect(ctx, st, s, dirs, rec); err != nil {
		return err
	}
	warnAllowed(opts.Stderr, rec.Files[before:])
	return nil
}

// codeFolder returns the folder the step runs in, holding the code tree:
// shared by every task and hardlinked to objects when the step is
// sandboxed (it is mounted read-only), else the task's own copy.
func codeFolder(ctx context.Context, st *store.Store, s *core.TaskSpec, dirs workDirs, work string, sandboxed bool) (string, error) {
	if sandboxed {
		return sharedTree(ctx, st, work, s.Code)
	}
	code := filepath.Join(dirs.root, "code")
	if err := st.Materialize(ctx, s.Code, code, placement(false)); err != nil {
		return "", err
	}
	return code, nil
}

// runCommand runs the step and streams its output to the caller and to the
// log files. It returns the exit code (-1 when killed by a signal), the
// signal's name when one killed it, and the peak resident memory in bytes.
func runCommand(ctx context.Context, s *core.TaskSpec, spec sandbox.Spec, dirs workDirs, opts ExecOptions) (code int, signal string, peak int64, err error) {
	stdout, err := os.Create(dirs.stdout)
	if err != nil {
		return 0, "", 0, fmt.Errorf("create log: %w", err)
	}
	defer stdout.Close()
	stderr, err := os.Create(dirs.stderr)
	if err != nil {
		return 0, "", 0, fmt.Errorf("create log: %w", err)
	}
	defer stderr.Close()
	spec.Stdout = teeTo(stdout, opts.Stdout)
	spec.Stderr = teeTo(stderr, opts.Stderr)
	cmd, err := sandbox.Command(ctx, sandbox.Mode(s.Sandbox), spec)
	if err != nil {
		return 0, "", 0, fmt.Errorf("step %s: %w", s.Step, err)
	}
	if sandbox.Mode(s.Sandbox) != sandbox.Bubblewrap {
		// It may write to the interpreter's files: the next task checks
		// them again.
		defer capture.UnconfinedStep()()
	}
	runErr := cmd.Run()
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = ru.Maxrss * 1024
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			signal = unix.SignalName(ws.Signal())
		}
	}
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
		return 0, "", peak, nil
	case errors.As(runErr, &exitErr):
		return exitErr.ExitCode(), signal, peak, nil
	default:
		return 0, "", 0, fmt.Errorf("start step %s: %w", s.Step, runErr)
	}
}

func teeTo(file io.Writer, live io.Writer) io.Writer {
	if live == nil {
		return file
	}
	return io.MultiWriter(file, live)
}

// tail returns up to n trailing bytes of a file.
func tail(path string, n int64) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		_, _ = f.Seek(fi.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(io.LimitReader(f, n))
	return b
}
