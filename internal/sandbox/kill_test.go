package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
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
			t.Fatalf("still not %s after 10s", what)
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
