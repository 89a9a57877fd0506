package engine

import (
	"context"
	"errors"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

const resumeFlow = `flow: resume
seed: 1
sandbox: none
steps:
  a:
    run: 'echo x > "$LOCKSTEP_OUTPUT_DIR/o"'
    outputs: {o: o}
  b:
    run: 'sh check.sh'
    inputs: {i: a.o}
`

// Resuming a failed run reuses its succeeded tasks as they are, without
// asking the backend, and runs the rest with the project's current code.
func TestResumeReusesSucceededTasks(t *testing.T) {
	p := newProject(t, resumeFlow, map[string]string{"check.sh": "exit 1\n"})
	first := p.mustRun(Options{})
	if first.Status != core.StatusFailed {
		t.Fatalf("first run %s, want failed", first.Status)
	}
	p.write("check.sh", "exit 0\n")
	resumed := p.mustRun(Options{ResumeFrom: first.ID})
	if resumed.Status != core.StatusSucceeded || resumed.ResumedFrom != first.ID || resumed.Seed != first.Seed {
		t.Fatalf("resumed run %s, from %q, seed %d; want succeeded, from %s, seed %d",
			resumed.Status, resumed.ResumedFrom, resumed.Seed, first.ID, first.Seed)
	}
	a := p.task(resumed, "a")
	if a.Status != core.StatusCached || a.CachedFrom != first.Tasks["a"] {
		t.Errorf("a: %s from %s; want cached from the first run's %s", a.Status, a.CachedFrom, first.Tasks["a"])
	}
	if n := p.b.execCount("a"); n != 1 {
		t.Errorf("a's executor ran %d times, want once (the resume reuses it)", n)
	}
	if b := p.task(resumed, "b"); b.Status != core.StatusSucceeded {
		t.Errorf("b: %s %s", b.Status, b.Error)
	}
	// A succeeded run has nothing to resume.
	_, err := p.run(context.Background(), Options{ResumeFrom: resumed.ID})
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Errorf("resuming a succeeded run: %v; want an input error", err)
	}
}
