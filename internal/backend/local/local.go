// Package local runs tasks on this machine, each as a `lockstep task exec`
// child process: the same code path every other backend runs, with the
// step's output streamed back and the child killed if lockstep dies.
package local

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"lockstep.dev/lockstep/internal/core"
)

// Backend runs `EXE task exec` for each task.
type Backend struct {
	// Exe is the lockstep binary (usually os.Executable()).
	Exe string
	// Home is the lockstep home the child opens.
	Home string
	// Environ is the environment the child starts with.
	Environ []string
}

// Exec runs one task spec and returns the digest of the record it wrote.
func (b *Backend) Exec(ctx context.Context, spec core.Digest, stdout, stderr io.Writer) (core.Digest, error) {
	dir, err := os.MkdirTemp(filepath.Join(b.Home, "tmp"), "exec-")
	if err != nil {
		return "", fmt.Errorf("task exec: %w", err)
	}
	defer os.RemoveAll(dir)
	result := filepath.Join(dir, "result")
	cmd := exec.CommandContext(ctx, b.Exe, "task", "exec", "--home", b.Home, "--result", result, spec.String())
	cmd.Env = b.Environ
	cmd.Stdout = stdout
	var diag bytes.Buffer
	cmd.Stderr = io.MultiWriter(stderr, &tailBuffer{buf: &diag, max: 4096})
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	runErr := cmd.Run()
	out, readErr := os.ReadFile(result)
	if readErr != nil {
		if runErr == nil {
			runErr = readErr
		}
		return "", fmt.Errorf("task exec %s: %w: %s", spec.Short(), runErr, strings.TrimSpace(diag.String()))
	}
	d, err := core.ParseDigest(strings.TrimSpace(string(out)))
	if err != nil {
		return "", fmt.Errorf("task exec %s: result: %w", spec.Short(), err)
	}
	return d, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf *bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}
