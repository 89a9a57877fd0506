// Package local runs tasks on this machine. By default the executor's
// work (what `lockstep task exec` does: check the sandbox, capture the
// environment, look the cache up, run the step confined, record it) runs
// in the submitting process, with its open store and catalog
// (backend.Config.InProcess): starting a process per task, loading the
// binary and opening the store and catalog again, cost more than all the
// rest of a small step. The step itself is always a child process in its
// own process group, killed when the engine cancels or lockstep dies.
//
// With `executor: process` in the backend's settings (backends: local:
// in config.yaml), or when no in-process runner is given, each task is a
// `lockstep task exec` child process instead: the same executor every
// other backend runs, given the store and catalog by URL, with the step's
// output streamed back, the report read from its stdout, and the child's
// process group killed when the engine cancels or lockstep dies.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
)

// Name is the local backend's registry name.
const Name = "local"

// Backend runs `EXE task exec` for each task.
type Backend struct {
	cfg      backend.Config
	capacity backend.Capacity
}

var _ backend.Backend = (*Backend)(nil)

// Open returns the local backend for cfg; it is the backend.Opener
// registered under Name. Its capacity is this machine's.
func Open(cfg backend.Config) (backend.Backend, error) {
	for key, value := range cfg.Settings {
		switch {
		case key != "executor":
			return nil, fmt.Errorf("backends: local: unknown setting %q: the local backend knows only executor (in-process or process)", key)
		case value == "process":
			cfg.InProcess = nil
		case value != "in-process":
			return nil, fmt.Errorf("backends: local: executor: %q is neither in-process nor process", value)
		}
	}
	if cfg.InProcess == nil && (cfg.Exe == "" || cfg.Store == "" || cfg.Catalog == "") {
		return nil, errors.New("the local backend needs the lockstep binary and the store and catalog URLs")
	}
	return &Backend{cfg: cfg, capacity: machine()}, nil
}

// Info reports one slot per core of this machine.
func (b *Backend) Info() backend.Info {
	return backend.Info{Name: Name, Slots: runtime.NumCPU(), SameHost: true}
}

// Exec runs one task and returns the digest of the record it wrote.
func (b *Backend) Exec(ctx context.Context, t backend.Task, stdout, stderr io.Writer) (core.Digest, error) {
	if err := b.capacity.Check(Name, t); err != nil {
		return "", err
	}
	if b.cfg.InProcess != nil {
		return b.execHere(ctx, t, stdout, stderr)
	}
	args := []string{"task", "exec", "--store", b.cfg.Store, "--catalog", b.cfg.Catalog}
	if b.cfg.Work != "" {
		args = append(args, "--work", b.cfg.Work)
	}
	cmd := exec.CommandContext(ctx, b.cfg.Exe, append(args, t.Spec.String())...)
	cmd.Env = b.cfg.Environ
	report := backend.NewReportReader(stdout)
	cmd.Stdout = report
	diag := &core.Tail{Max: 4096}
	cmd.Stderr = io.MultiWriter(stderr, diag)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	runErr := cmd.Run()
	d, err := report.Record()
	if runErr == nil && err == nil {
		return d, nil
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("task exec %s: %w", t.Spec.Short(), ctx.Err())
	}
	if runErr == nil {
		runErr = err
	}
	return "", fmt.Errorf("task exec %s: %w: %s", t.Spec.Short(), runErr, strings.TrimSpace(diag.String()))
}

// execHere runs the task in this process; a panic in the executor's work
// fails the task, not the run.
func (b *Backend) execHere(ctx context.Context, t backend.Task, stdout, stderr io.Writer) (d core.Digest, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = "", fmt.Errorf("task exec %s: internal error: %v", t.Spec.Short(), p)
		}
	}()
	return b.cfg.InProcess(ctx, t.Spec, stdout, stderr)
}
