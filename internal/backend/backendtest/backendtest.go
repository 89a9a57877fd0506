package backendtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Suite says how to run the contract against one backend.
type Suite struct {
	// Exe is the lockstep binary the executors run.
	Exe string
	// Open opens the backend under test for cfg.
	Open func(t *testing.T, cfg backend.Config) backend.Backend
	// Dir, if set, returns a fresh folder both the test and the
	// executors reach (a shared filesystem for a cluster); default
	// t.TempDir().
	Dir func(t *testing.T) string
}

// Run runs every case of the contract as a subtest.
func Run(t *testing.T, s Suite) {
	cases := []struct {
		name string
		run  func(*testing.T, *harness)
	}{
		{"Success", testSuccess},
		{"NonZeroExit", testNonZeroExit},
		{"KilledBySignal", testKilledBySignal},
		{"TimeLimit", testTimeLimit},
		{"Cancel", testCancel},
		{"LogsStreamed", testLogsStreamed},
		{"MissingOutput", testMissingOutput},
		{"ResourcesHonoured", testResourcesHonoured},
		{"ResourcesRefused", testResourcesRefused},
		{"MissingSpec", testMissingSpec},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, s.newHarness(t))
		})
	}
}

// harness is one case's store and backend.
type harness struct {
	t    *testing.T
	dir  string
	st   *store.Store
	b    backend.Backend
	code core.Digest
}

func (s Suite) newHarness(t *testing.T) *harness {
	dir := t.TempDir()
	if s.Dir != nil {
		dir = s.Dir(t)
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	code, err := st.PutJSON(core.NewTree(nil))
	if err != nil {
		t.Fatal(err)
	}
	cfg := backend.Config{
		Exe: s.Exe, Store: "file://" + dir, Catalog: "sqlite://" + filepath.Join(dir, "catalog.db"),
		Work: filepath.Join(dir, "work"), Environ: []string{"PATH=" + os.Getenv("PATH")},
	}
	return &harness{t: t, dir: dir, st: st, b: s.Open(t, cfg), code: code}
}

// spec stores a task spec running command unconfined.
func (h *harness) spec(command string, outputs []core.TaskOutput, res core.Resources, params map[string]any) backend.Task {
	h.t.Helper()
	step := strings.ToLower(strings.ReplaceAll(h.t.Name()[strings.LastIndex(h.t.Name(), "/")+1:], " ", "-"))
	plan, err := h.st.PutJSON(map[string]any{"type": "backendtest.plan", "command": command, "params": params, "dir": h.dir})
	if err != nil {
		h.t.Fatal(err)
	}
	s := &core.TaskSpec{
		Type: core.TaskSpecType, Run: "backendtest", Step: step, Command: command, Code: h.code,
		Outputs: outputs, Params: params, Sandbox: "none", Resources: res, PlanKey: plan, NoCache: true,
	}
	d, err := h.st.PutJSON(s)
	if err != nil {
		h.t.Fatal(err)
	}
	return backend.Task{Spec: d, Step: step, Resources: res}
}

// exec runs a task and returns its record, failing the test when the
// backend reports none or the record is not the task's.
func (h *harness) exec(ctx context.Context, task backend.Task, stdout, stderr io.Writer) *core.TaskRecord {
	h.t.Helper()
	d, err := h.b.Exec(ctx, task, stdout, stderr)
	if err != nil {
		h.t.Fatalf("Exec: %v", err)
	}
	var rec core.TaskRecord
	if err := h.st.GetJSON(d, &rec); err != nil {
		h.t.Fatalf("the reported record %s cannot be read: %v", d, err)
	}
	if rec.Type != core.TaskType || rec.Spec != task.Spec {
		h.t.Fatalf("the reported record %s is not the task's: type %q, spec %s", d, rec.Type, rec.Spec)
	}
	return &rec
}

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func testSuccess(t *testing.T, h *harness) {
	var stdout, stderr core.Tail
	task := h.spec(`echo to-stdout; echo to-stderr >&2; mkdir "$LOCKSTEP_OUTPUT_DIR/d"; echo result > "$LOCKSTEP_OUTPUT_DIR/out.txt"; echo inner > "$LOCKSTEP_OUTPUT_DIR/d/x"`,
		[]core.TaskOutput{{Name: "out", Path: "out.txt", Kind: "file"}, {Name: "dir", Path: "d", Kind: "dir"}}, core.Resources{}, nil)
	rec := h.exec(context.Background(), task, &stdout, &stderr)
	if rec.Status != core.StatusSucceeded || rec.ExitCode != 0 {
		t.Fatalf("status %s, exit code %d, error %q; want succeeded", rec.Status, rec.ExitCode, rec.Error)
	}
	if stdout.String() != "to-stdout\n" {
		t.Errorf("stdout streamed back %q, want the step's own output only", stdout.String())
	}
	if !strings.Contains(stderr.String(), "to-stderr") {
		t.Errorf("stderr streamed back %q", stderr.String())
	}
	out := rec.Outputs["out"]
	if got := h.read(out.Digest); got != "result\n" || out.Digest != core.DigestOf([]byte("result\n")) {
		t.Errorf("output out = %q (%s), want \"result\\n\"", got, out.Digest)
	}
	tree, err := h.st.GetTree(rec.Outputs["dir"].Digest)
	if err != nil || len(tree.Entries) != 1 || tree.Entries[0].Path != "x" || h.read(tree.Entries[0].Digest) != "inner\n" {
		t.Errorf("output dir: %v %+v", err, tree)
	}
	if h.read(rec.Stdout) != "to-stdout\n" {
		t.Errorf("stored stdout %q", h.read(rec.Stdout))
	}
	if !rec.CacheKey.Valid() || !rec.Environment.Valid() {
		t.Errorf("the record has no final key (%q) or environment (%q)", rec.CacheKey, rec.Environment)
	}
}

// read returns an object's bytes through the store's verifying reader.
func (h *harness) read(d core.Digest) string {
	h.t.Helper()
	rc, err := h.st.Open(d)
	if err != nil {
		h.t.Fatalf("open %s: %v", d, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		h.t.Fatalf("read %s: %v", d, err)
	}
	return string(b)
}

func testNonZeroExit(t *testing.T, h *harness) {
	rec := h.exec(context.Background(), h.spec("echo failing >&2; exit 3", nil, core.Resources{}, nil), io.Discard, io.Discard)
	if rec.Status != core.StatusFailed || rec.ExitCode != 3 || !strings.Contains(rec.Error, "code 3") {
		t.Errorf("status %s, exit code %d, error %q; want failed with code 3", rec.Status, rec.ExitCode, rec.Error)
	}
	if !strings.Contains(h.read(rec.Stderr), "failing") {
		t.Error("the failed step's stderr was not kept")
	}
}

func testKilledBySignal(t *testing.T, h *harness) {
	rec := h.exec(context.Background(), h.spec("kill -KILL $$", nil, core.Resources{}, nil), io.Discard, io.Discard)
	if rec.Status != core.StatusFailed || !strings.Contains(rec.Error, "signal SIGKILL") {
		t.Errorf("status %s, error %q; want failed, killed by signal SIGKILL", rec.Status, rec.Error)
	}
}

func testTimeLimit(t *testing.T, h *harness) {
	start := time.Now()
	rec := h.exec(context.Background(), h.spec("sleep 60", nil, core.Resources{TimeSeconds: 1}, nil), io.Discard, io.Discard)
	if rec.Status != core.StatusFailed || !strings.Contains(rec.Error, "time limit") {
		t.Errorf("status %s, error %q; want failed for its time limit", rec.Status, rec.Error)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("a 1s time limit stopped the task after %s", took)
	}
}

func testCancel(t *testing.T, h *harness) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout core.Tail
	task := h.spec(`echo "started $$"; exec sleep 60`, nil, core.Resources{}, nil)
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := h.b.Exec(ctx, task, &stdout, io.Discard)
		done <- err
	}()
	if !waitFor(30*time.Second, func() bool { return strings.Contains(stdout.String(), "\n") }) {
		t.Fatalf("the task did not start: stdout %q", stdout.String())
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a cancelled task reported a record")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Exec did not return within 30s of the cancel")
	}
	if took := time.Since(start); took > 50*time.Second {
		t.Errorf("the cancelled task ran %s", took)
	}
	var pid int
	if _, err := fmt.Sscanf(stdout.String(), "started %d", &pid); err != nil || !h.b.Info().SameHost {
		return
	}
	if !waitFor(10*time.Second, func() bool { return syscall.Kill(pid, 0) != nil }) {
		t.Errorf("the step's process %d still runs after the cancel", pid)
	}
}

func testLogsStreamed(t *testing.T, h *harness) {
	gate := filepath.Join(h.dir, "go-on")
	task := h.spec(`echo first; i=0; while [ ! -e "$LOCKSTEP_PARAM_GATE" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; echo second`,
		nil, core.Resources{}, map[string]any{"gate": gate})
	var stdout core.Tail
	done := make(chan *core.TaskRecord, 1)
	go func() { done <- h.exec(context.Background(), task, &stdout, io.Discard) }()
	streamed := waitFor(30*time.Second, func() bool { return strings.Contains(stdout.String(), "first") })
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rec := <-done
	if !streamed {
		t.Error("the step's first line did not reach the log while it ran")
	}
	if rec.Status != core.StatusSucceeded || stdout.String() != "first\nsecond\n" {
		t.Errorf("status %s, stdout %q", rec.Status, stdout.String())
	}
}

func testMissingOutput(t *testing.T, h *harness) {
	rec := h.exec(context.Background(), h.spec("true", []core.TaskOutput{{Name: "model", Path: "model.bin", Kind: "file"}}, core.Resources{}, nil), io.Discard, io.Discard)
	if rec.Status != core.StatusFailed || !strings.Contains(rec.Error, "model") {
		t.Errorf("status %s, error %q; want failed naming the missing output", rec.Status, rec.Error)
	}
}

func testResourcesHonoured(t *testing.T, h *harness) {
	res := core.Resources{CPUs: 1, MemoryBytes: 16 << 20, TimeSeconds: 120}
	rec := h.exec(context.Background(), h.spec("true", nil, res, nil), io.Discard, io.Discard)
	if rec.Status != core.StatusSucceeded {
		t.Errorf("a modest request (%+v): status %s, error %q", res, rec.Status, rec.Error)
	}
}

func testResourcesRefused(t *testing.T, h *harness) {
	for what, res := range map[string]core.Resources{
		"cpus":   {CPUs: 1 << 20},
		"memory": {MemoryBytes: 1 << 60},
		"gpus":   {GPUs: 1 << 20},
	} {
		_, err := h.b.Exec(context.Background(), h.spec("true", nil, res, nil), io.Discard, io.Discard)
		if !errors.Is(err, backend.ErrRefused) || !strings.Contains(err.Error(), what) {
			t.Errorf("asking for too many %s: %v; want an error wrapping backend.ErrRefused that names %s", what, err, what)
		}
	}
}

func testMissingSpec(t *testing.T, h *harness) {
	d, err := h.b.Exec(context.Background(), backend.Task{Spec: core.DigestOf([]byte("no such spec")), Step: "ghost"}, io.Discard, io.Discard)
	if err == nil {
		t.Errorf("a spec missing from the store reported record %s", d)
	}
}
