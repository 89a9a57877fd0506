package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// start runs lockstep as a child process (the test binary plays it) in the
// project's folder, so that it can be signalled.
func (p *project) start(args ...string) (*exec.Cmd, *bytes.Buffer) {
	p.t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir, cmd.Env = p.dir, p.environ
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	return cmd, &out
}

// waitExit waits up to d for cmd; a command still running then is sent
// SIGTERM, given as long again, and killed, and the test fails.
func waitExit(t *testing.T, cmd *exec.Cmd, d time.Duration, what string) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(d):
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		t.Errorf("%s was still running after %v (it stopped on SIGTERM)", what, d)
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		t.Errorf("%s was still running after %v and ignored SIGTERM", what, d)
	}
	return cmd.ProcessState.ExitCode()
}

func TestNonRegularFilesAreRefusedUnopened(t *testing.T) {
	p := newProject(t, modelFlow, nil)
	fifo := filepath.Join(p.dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	p.environ = append(p.environ, "LOCKSTEP_PASSWORD=pw")
	p.mustRun(0, "key", "generate", "k", "--out", p.dir)
	for _, args := range [][]string{{"scan", "pipe"}, {"verify", "pipe", "--key", "k.pub"}} {
		cmd, out := p.start(args...)
		code := waitExit(t, cmd, 5*time.Second, strings.Join(args, " "))
		if code == 0 || !strings.Contains(out.String(), "not a regular file") {
			t.Errorf("lockstep %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
	}
	// A folder holding one is scanned without it.
	cmd, out := p.start("scan", ".")
	if code := waitExit(t, cmd, 5*time.Second, "scan ."); code != 0 || strings.Contains(out.String(), "pipe") {
		t.Errorf("lockstep scan .: exit %d\n%s", code, out)
	}
}

func TestSIGTERMStopsARun(t *testing.T) {
	p := newProject(t, "flow: slow\nsteps:\n  wait:\n    run: sleep 60\n    sandbox: none\n", nil)
	p.mustRun(0, "init")
	cmd, out := p.start("run")
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd, 10*time.Second, "run"); code != exitFailed {
		t.Errorf("run stopped by SIGTERM: exit %d, want 1\n%s", code, out)
	}
}
