package sandbox

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// hostPath is the PATH confined test commands get.
const hostPath = "PATH=/usr/local/bin:/usr/bin:/bin"

// needBwrap skips t when bubblewrap cannot confine commands here.
func needBwrap(t *testing.T) {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("bubblewrap probes need a working bwrap: %v", err)
	}
}

// result is what a test command left behind.
type result struct {
	stdout, stderr string
	err            error
}

// run runs spec in mode to completion and returns its output.
func run(t *testing.T, mode Mode, spec Spec) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	spec.Stdout, spec.Stderr = &stdout, &stderr
	cmd, err := Command(context.Background(), mode, spec)
	if err != nil {
		t.Fatalf("Command: %v", err)
	}
	err = cmd.Run()
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// sh runs a shell script confined with the given binds and no network.
func sh(t *testing.T, script string, ro, rw []Bind) result {
	t.Helper()
	return run(t, Bubblewrap, Spec{
		Argv: []string{"/bin/sh", "-c", script}, Env: []string{hostPath},
		ReadOnly: ro, Writable: rw,
	})
}

// writeFile creates dir/name holding text and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// chmodX makes a test script executable.
func chmodX(p string) error { return os.Chmod(p, 0o755) }
