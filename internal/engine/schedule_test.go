package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
)

const fourSteps = `flow: four
seed: 1
sandbox: none
steps:
  a: {run: 'true'}
  b: {run: 'true'}
  c: {run: 'true'}
  d: {run: 'true'}
`

// -j caps how many tasks run at once; without it, the backend's slots do.
func TestJobsCapParallelism(t *testing.T) {
	for _, tt := range []struct {
		name        string
		jobs, slots int
		want        int
	}{
		{"-j 2", 2, 4, 2},
		{"-j 1", 1, 4, 1},
		{"backend slots", 0, 3, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProject(t, fourSteps, map[string]string{})
			p.b.slots, p.b.gate = tt.slots, 4
			rec := p.mustRun(Options{Jobs: tt.jobs, NoCache: true})
			if rec.Status != core.StatusSucceeded {
				t.Fatalf("run %s: %s", rec.Status, rec.Error)
			}
			if p.b.peak != tt.want {
				t.Errorf("at most %d tasks ran at once, want %d", p.b.peak, tt.want)
			}
		})
	}
}

const failingFlow = `flow: fails
seed: 1
sandbox: none
steps:
  a:
    run: 'echo x > "$LOCKSTEP_OUTPUT_DIR/o"; exit 3'
    outputs: {o: o}
  b:
    run: 'true'
    inputs: {i: a.o}
  c: {run: 'true'}
`

// A failed step stops the run: what depends on it is skipped with the
// reason, and what has not started is not started. With KeepGoing only
// its dependents are skipped.
func TestFailureSkipsWhatFollows(t *testing.T) {
	p := newProject(t, failingFlow, map[string]string{})
	rec := p.mustRun(Options{Jobs: 1})
	if rec.Status != core.StatusFailed || !strings.Contains(rec.Error, "code 3") {
		t.Errorf("run %s, error %q; want failed with a's exit code", rec.Status, rec.Error)
	}
	want := map[string]string{"a": core.StatusFailed, "b": core.StatusSkipped, "c": core.StatusSkipped}
	for step, status := range want {
		if got := p.task(rec, step); got.Status != status {
			t.Errorf("%s: %s (%s), want %s", step, got.Status, got.Error, status)
		}
	}
	if e := p.task(rec, "b").Error; !strings.Contains(e, "needs a, which failed") {
		t.Errorf("b skipped for %q", e)
	}
	if e := p.task(rec, "c").Error; !strings.Contains(e, "--keep-going") {
		t.Errorf("c skipped for %q", e)
	}
	if p.b.execCount("c") != 0 {
		t.Error("c ran after a failed")
	}

	rec = p.mustRun(Options{Jobs: 1, KeepGoing: true})
	want["c"] = core.StatusSucceeded
	for step, status := range want {
		if got := p.task(rec, step); got.Status != status {
			t.Errorf("--keep-going: %s: %s (%s), want %s", step, got.Status, got.Error, status)
		}
	}
	if rec.Status != core.StatusFailed {
		t.Errorf("--keep-going run %s, want failed", rec.Status)
	}
}

// A task the backend could not run (here, refused) fails its step with
// the backend's message, and the run goes on as for any failure.
func TestBackendErrorFailsTheStep(t *testing.T) {
	p := newProject(t, failingFlow, map[string]string{})
	p.b.refuse = map[string]error{"c": fmt.Errorf("step c: %w by backend test: it asks for 9 gpus", backend.ErrRefused)}
	rec, err := p.run(context.Background(), Options{Jobs: 1, KeepGoing: true})
	if err == nil || !strings.Contains(err.Error(), "9 gpus") {
		t.Errorf("run error %v; want the refusal", err)
	}
	if c := p.task(rec, "c"); c.Status != core.StatusFailed || !strings.Contains(c.Error, "refused") {
		t.Errorf("c: %s %q; want failed, refused", c.Status, c.Error)
	}
}

// The engine takes only the record of the spec it submitted: a backend
// reporting another task's record fails the step.
func TestForeignRecordIsRefused(t *testing.T) {
	p := newProject(t, fourSteps, map[string]string{})
	var first core.Digest
	p.b.report = func(step string, d core.Digest) core.Digest {
		if first == "" {
			first = d
		}
		return first
	}
	rec, err := p.run(context.Background(), Options{Jobs: 1})
	if err == nil || !strings.Contains(err.Error(), "not a task record of spec") {
		t.Errorf("run error %v; want the foreign record refused", err)
	}
	if rec == nil || rec.Status != core.StatusFailed {
		t.Errorf("run %v; want it recorded as failed", rec)
	}
}

// Cancelling a run stops its running task, records the run as aborted and
// the steps that did not start as skipped.
func TestCancelAbortsTheRun(t *testing.T) {
	p := newProject(t, "flow: slow\nseed: 1\nsandbox: none\nsteps:\n  a: {run: 'sleep 30'}\n  b: {run: 'true', needs: [a]}\n", map[string]string{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := time.Now()
	go func() {
		for p.b.execCount("a") == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	rec, err := p.run(ctx, Options{})
	if err != nil {
		t.Fatalf("an interrupted run is recorded, not an error: %v", err)
	}
	if rec.Status != core.StatusAborted {
		t.Errorf("run %s, want aborted", rec.Status)
	}
	if time.Since(started) > 20*time.Second {
		t.Error("the running task was not stopped")
	}
	if b := p.task(rec, "b"); b.Status != core.StatusSkipped {
		t.Errorf("b %s, want skipped", b.Status)
	}
}

func TestRunNeedsABackend(t *testing.T) {
	p := newProject(t, fourSteps, map[string]string{})
	fl, err := flow.Load(filepath.Join(p.dir, "lockstep.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	code, err := p.h.Snapshot(context.Background(), fl, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.h.Run(context.Background(), fl, code, Options{}); err == nil || !strings.Contains(err.Error(), "no backend") {
		t.Errorf("a run without a backend: %v", err)
	}
}
