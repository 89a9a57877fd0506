package task

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// executor is a store and catalog as `lockstep task exec` opens them.
type executor struct {
	t    *testing.T
	st   *store.Store
	cat  catalog.Catalog
	work string
	code core.Digest
	plan core.Digest
}

func newExecutor(t *testing.T) *executor {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := sqlite.OpenURL(context.Background(), "sqlite://"+filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	code, err := st.PutJSON(core.NewTree(nil))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := st.PutJSON(map[string]string{"type": "test.plan"})
	if err != nil {
		t.Fatal(err)
	}
	return &executor{t: t, st: st, cat: cat, work: filepath.Join(dir, "work"), code: code, plan: plan}
}

// exec stores a spec for run and runs it with FOO=foo in its environment,
// indexing the record as the engine would.
func (e *executor) exec(run, foo string, noCache bool) (*core.TaskRecord, core.Digest) {
	e.t.Helper()
	spec := &core.TaskSpec{Type: core.TaskSpecType, Run: run, Step: "s", Code: e.code, PlanKey: e.plan, NoCache: noCache,
		Command: `echo "$FOO" > "$LOCKSTEP_OUTPUT_DIR/o"`, Env: []string{"FOO"}, Sandbox: "none",
		Outputs: []core.TaskOutput{{Name: "o", Path: "o", Kind: "file"}}}
	sd, err := e.st.PutJSON(spec)
	if err != nil {
		e.t.Fatal(err)
	}
	rec, d, err := Exec(context.Background(), e.st, sd, ExecOptions{
		Environ: []string{"PATH=" + os.Getenv("PATH"), "FOO=" + foo}, WorkDir: e.work, Cache: e.cat,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if rec.Spec != sd || rec.Run != run || rec.PlanKey != e.plan {
		e.t.Errorf("record of run %s names spec %s, run %s, plan %s", run, rec.Spec, rec.Run, rec.PlanKey)
	}
	if err := e.cat.PutTask(context.Background(), rec, d); err != nil {
		e.t.Fatal(err)
	}
	return rec, d
}

// The executor reuses an earlier task only when its own environment gives
// the same final key, and never when the spec says not to.
func TestExecReusesOnlyTheSameEnvironment(t *testing.T) {
	e := newExecutor(t)
	first, firstDigest := e.exec("r1", "one", false)
	if first.Status != core.StatusSucceeded {
		t.Fatalf("first: %s %s", first.Status, first.Error)
	}
	want, err := FinalKey(e.st, e.plan, first.Environment)
	if err != nil || first.CacheKey != want {
		t.Errorf("record key %s, want the final key %s (%v)", first.CacheKey, want, err)
	}
	same, _ := e.exec("r2", "one", false)
	if same.Status != core.StatusCached || same.CachedFrom != firstDigest || same.Outputs["o"] != first.Outputs["o"] {
		t.Errorf("same environment: %s from %s; want cached from %s", same.Status, same.CachedFrom, firstDigest)
	}
	other, _ := e.exec("r3", "two", false)
	if other.Status != core.StatusSucceeded || other.CacheKey == first.CacheKey {
		t.Errorf("another environment: %s, key %s; want it run under a key of its own", other.Status, other.CacheKey)
	}
	if other.Outputs["o"].Digest != core.DigestOf([]byte("two\n")) {
		t.Error("the step did not see the executor's own environment")
	}
	forced, _ := e.exec("r4", "one", true)
	if forced.Status != core.StatusSucceeded {
		t.Errorf("no-cache spec: %s, want it run", forced.Status)
	}
}

func TestFinalKeyNamesPlanAndEnvironment(t *testing.T) {
	e := newExecutor(t)
	env1, env2 := core.DigestOf([]byte("env1")), core.DigestOf([]byte("env2"))
	k, _ := FinalKey(e.st, e.plan, env1)
	if again, _ := FinalKey(e.st, e.plan, env1); again != k {
		t.Error("the final key is not a function of plan and environment")
	}
	if other, _ := FinalKey(e.st, e.plan, env2); other == k {
		t.Error("two environments share a final key")
	}
	if other, _ := FinalKey(e.st, core.DigestOf([]byte("plan2")), env1); other == k {
		t.Error("two plans share a final key")
	}
}
