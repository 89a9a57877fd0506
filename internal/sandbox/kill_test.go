package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestCancelKillsTree starts a step that leaves a `sleep` child running,
// cancels the context and checks that the child is gone too.
func TestCancelKillsTree(t *testing.T) {
	for _, mode := range []Mode{Bubblewrap, None} {
		t.Run(string(mode), func(t *testing.T) {
			if mode == Bubblewrap {
				needBwrap(t)
			}
			// A duration no other process uses, different per mode.
			marker := map[Mode]string{Bubblewrap: "1000.42421", None: "1000.42422"}[mode]
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			cmd, err := Command(ctx, mode, Spec{
				Argv: []string{"/bin/sh", "-c", "sleep " + marker + " & echo started; wait"},
				Env:  []string{hostPath}, Stdout: pw,
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(pr).ReadString('\n')
			if err != nil || line != "started\n" {
				t.Fatalf("read %q, %v; want \"started\"", line, err)
			}
			waitFor(t, func() bool { return sleepers(t, marker) == 1 }, "one sleep "+marker+" before cancel")
			cancel()
			go io.Copy(io.Discard, pr)
			if err := cmd.Wait(); err == nil {
				t.Error("Wait after cancel returned nil, want the kill")
			}
			pw.Close()
			waitFor(t, func() bool { return sleepers(t, marker) == 0 }, "no sleep "+marker+" after cancel")
		})
	}
}

// waitFor polls cond until it holds, failing t if it still does not after
// ten seconds. Processes start and die asynchronously; this is no timing
// assertion, only a bound on a hang.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sleepers counts the live host processes whose command line mentions marker.
func sleepers(t *testing.T, marker string) int {
	t.Helper()
	cmdlines, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range cmdlines {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte(marker)) || !bytes.HasPrefix(b, []byte("sleep")) {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join(filepath.Dir(p), "stat")); err == nil && !bytes.Contains(stat, []byte(") Z ")) {
			n++
		}
	}
	return n
}

// helperEnv marks the test binary re-run as a stand-in for lockstep.
const helperEnv = "LOCKSTEP_SANDBOX_TEST_PARENT"

// TestKilledParentKillsTree runs a stand-in for lockstep that starts a
// confined `sleep`, kills the stand-in with SIGKILL, and checks that the
// sleep dies with it.
func TestKilledParentKillsTree(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		return // the stand-in's own run of this test: helperParent does the work
	}
	needBwrap(t)
	const marker = "1000.42423"
	parent := exec.Command(os.Args[0], "-test.run=^TestHelperParent$")
	parent.Env = append(os.Environ(), helperEnv+"="+marker)
	stdout, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "started\n" {
		parent.Process.Kill()
		t.Fatalf("stand-in printed %q, %v; want \"started\"", line, err)
	}
	waitFor(t, func() bool { return sleepers(t, marker) == 1 }, "one sleep "+marker+" before the kill")
	if err := parent.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	parent.Wait()
	waitFor(t, func() bool { return sleepers(t, marker) == 0 }, "no sleep "+marker+" after lockstep was killed")
}

// TestHelperParent is the stand-in for lockstep: it starts a confined
// sleep, says so, and waits to be killed. It does nothing in a normal run.
func TestHelperParent(t *testing.T) {
	marker := os.Getenv(helperEnv)
	if marker == "" {
		t.Skip("runs only as the stand-in for TestKilledParentKillsTree")
	}
	cmd, err := Command(context.Background(), Bubblewrap, Spec{
		Argv: []string{"/bin/sh", "-c", "sleep " + marker + " & echo started; wait"},
		Env:  []string{hostPath}, Stdout: os.Stdout,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
}
