package engine

import (
	"io"
	"os"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

const envFlow = `flow: env
seed: 1
sandbox: none
steps:
  a:
    run: 'echo "$FOO" > "$LOCKSTEP_OUTPUT_DIR/o"'
    env: [FOO]
    outputs: {o: o}
`

// The same flow, submitted from the same machine, run by executors whose
// environments differ, never shares a cache hit: the final key is made
// where the task runs. The plan key, made by the submitter, is the same.
func TestExecutorEnvironmentSplitsTheCache(t *testing.T) {
	p := newProject(t, envFlow, map[string]string{})
	path := "PATH=" + os.Getenv("PATH")
	runIn := func(foo string) (*core.RunRecord, *core.TaskRecord) {
		p.b.environ = []string{path, "FOO=" + foo}
		rec := p.mustRun(Options{})
		return rec, p.task(rec, "a")
	}
	run1, one := runIn("one")
	if one.Status != core.StatusSucceeded {
		t.Fatalf("first run: %s %s", one.Status, one.Error)
	}
	_, again := runIn("one")
	if again.Status != core.StatusCached || again.CachedFrom != run1.Tasks["a"] {
		t.Errorf("same environment: status %s, cached from %s; want a hit on %s", again.Status, again.CachedFrom, run1.Tasks["a"])
	}
	_, two := runIn("two")
	if two.Status != core.StatusSucceeded {
		t.Errorf("another environment: status %s (cached from %s); want the step to run", two.Status, two.CachedFrom)
	}
	if two.PlanKey != one.PlanKey {
		t.Errorf("the plan key depends on the executor: %s vs %s", two.PlanKey, one.PlanKey)
	}
	if two.CacheKey == one.CacheKey || two.Environment == one.Environment {
		t.Error("two environments made the same final key")
	}
	if got := readObject(t, p, two.Outputs["o"].Digest); got != "two\n" {
		t.Errorf("the step in the second environment wrote %q", got)
	}
	_, back := runIn("one")
	if back.Status != core.StatusCached || back.CachedFrom != run1.Tasks["a"] {
		t.Errorf("back in the first environment: status %s, cached from %s; want a hit on the first run", back.Status, back.CachedFrom)
	}
}

// What the submitter stores knows nothing of an environment: the spec and
// its plan key name none, and the engine never captured one (the layers
// test checks no code outside the executor calls capture.Capture).
func TestSubmitterRecordsNoEnvironment(t *testing.T) {
	p := newProject(t, envFlow, map[string]string{})
	p.b.environ = append(p.b.environ, "FOO=x")
	rec := p.mustRun(Options{})
	tr := p.task(rec, "a")
	var spec map[string]any
	if err := p.h.Store.GetJSON(tr.Spec, &spec); err != nil {
		t.Fatal(err)
	}
	var plan map[string]any
	if err := p.h.Store.GetJSON(tr.PlanKey, &plan); err != nil {
		t.Fatal(err)
	}
	for what, doc := range map[string]map[string]any{"spec": spec, "plan key": plan} {
		for k := range doc {
			if strings.Contains(k, "environment") {
				t.Errorf("the %s names %q", what, k)
			}
		}
	}
	var final map[string]any
	if err := p.h.Store.GetJSON(tr.CacheKey, &final); err != nil {
		t.Fatal(err)
	}
	if final["plan"] != string(tr.PlanKey) || final["environment"] != string(tr.Environment) {
		t.Errorf("final key %v: want the plan key %s and the environment %s", final, tr.PlanKey, tr.Environment)
	}
}

// --force and --no-cache reach the executor, which then runs the task
// though its final key matches.
func TestForceAndNoCacheRunAgain(t *testing.T) {
	p := newProject(t, envFlow+"  b:\n    run: 'cat \"$LOCKSTEP_INPUT_I\"'\n    inputs: {i: a.o}\n", map[string]string{})
	p.mustRun(Options{})
	forced := p.mustRun(Options{Force: []string{"a"}})
	if s := p.task(forced, "a").Status; s != core.StatusSucceeded {
		t.Errorf("--force a: a %s, want it run", s)
	}
	if s := p.task(forced, "b").Status; s != core.StatusCached {
		t.Errorf("--force a: b %s, want cached (a's output did not change)", s)
	}
	all := p.mustRun(Options{NoCache: true})
	for _, step := range []string{"a", "b"} {
		if s := p.task(all, step).Status; s != core.StatusSucceeded {
			t.Errorf("--no-cache: %s %s, want it run", step, s)
		}
	}
}

// Why names the executor's environment when that is what changed.
func TestWhyNamesTheExecutorEnvironment(t *testing.T) {
	p := newProject(t, envFlow, map[string]string{})
	p.b.environ = []string{"PATH=" + os.Getenv("PATH"), "FOO=one"}
	p.mustRun(Options{})
	p.b.environ[1] = "FOO=two"
	rec := p.mustRun(Options{})
	exps, err := p.h.Why(t.Context(), rec.ID, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if got := exps[0].Summary(); !strings.Contains(got, "environment") || !strings.Contains(got, "FOO") {
		t.Errorf("why: %q; want the changed variable of the executor's environment", got)
	}
}

func readObject(t *testing.T, p *project, d core.Digest) string {
	t.Helper()
	rc, err := p.h.Store.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
