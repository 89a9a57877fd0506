package cli

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const chattyFlow = `flow: chatty
steps:
  talk:
    run: for i in $(seq 1 3000); do echo "line $i"; echo "err $i" >&2; done; echo done > $LOCKSTEP_OUTPUT_DIR/o.txt
    sandbox: none
    outputs:
      o: o.txt
`

// TestClosedOutputDoesNotStopARun runs lockstep with stdout and stderr
// a pipe nobody reads (as `lockstep run | head` leaves it once head has
// exited): the run must go on, succeed and keep its logs.
func TestClosedOutputDoesNotStopARun(t *testing.T) {
	p := newProject(t, chattyFlow, nil)
	p.mustRun(0, "init")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	cmd := exec.Command(os.Args[0], "run")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = p.dir, p.environ, w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if code := waitExit(t, cmd, 30*time.Second, "run"); code != 0 {
		t.Errorf("run with its output closed: exit %d (%v)", code, cmd.ProcessState)
	}
	var runs []struct{ Status string }
	p.jsonOf(&runs, "runs")
	if len(runs) != 1 || runs[0].Status != "succeeded" {
		t.Fatalf("the run is recorded as %+v", runs)
	}
	if out := p.mustRun(0, "logs", "last", "talk", "--stream", "stdout").stdout; strings.Count(out, "\n") != 3000 {
		t.Errorf("the log kept %d lines of 3000", strings.Count(out, "\n"))
	}
}

// TestStepsKeepTheDefaultSIGPIPE: lockstep catches SIGPIPE for itself,
// but a step's `yes | head -1` still ends as it does in a shell.
func TestStepsKeepTheDefaultSIGPIPE(t *testing.T) {
	p := newProject(t, `flow: y
steps:
  pipe:
    run: (yes; echo $? > $LOCKSTEP_OUTPUT_DIR/status.txt) | head -1 > /dev/null
    sandbox: none
    outputs:
      status: status.txt
`, nil)
	cmd, out := p.start("run")
	if code := waitExit(t, cmd, 30*time.Second, "run"); code != 0 {
		t.Fatalf("yes | head in a step: exit %d\n%s", code, out)
	}
	dest := t.TempDir() + "/status.txt"
	p.mustRun(0, "get", "last", "pipe.status", dest)
	if b, _ := os.ReadFile(dest); string(b) != "141\n" {
		t.Errorf("yes in a step ended with status %q, want 141 (killed by SIGPIPE)", b)
	}
}
