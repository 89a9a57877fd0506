package query

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/store"
)

// testHome is a store and a catalog in a test's temporary folder.
type testHome struct {
	t   *testing.T
	st  *store.Store
	cat catalog.Catalog
}

func newHome(t *testing.T) *testHome {
	t.Helper()
	h := home.OpenTemp(t)
	return &testHome{t: t, st: h.Store, cat: h.Catalog}
}

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// put stores b and returns its digest.
func (h *testHome) put(b string) core.Digest {
	h.t.Helper()
	d, err := h.st.PutBytes([]byte(b))
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// task stores and indexes the record of step in run, started sec seconds
// after base, with one file output per name.
func (h *testHome) task(run, step string, sec int, status string, mod func(*core.TaskRecord), outputs ...string) core.Digest {
	h.t.Helper()
	rec := &core.TaskRecord{Type: core.TaskType, Run: run, Step: step, Status: status,
		Started: base.Add(time.Duration(sec) * time.Second), Finished: base.Add(time.Duration(sec+2) * time.Second),
		Command: "true", Outputs: map[string]core.Artifact{}}
	for _, o := range outputs {
		rec.Outputs[o] = core.Artifact{Digest: h.put(run + step + o), Kind: core.KindFile}
	}
	if mod != nil {
		mod(rec)
	}
	d, err := h.st.PutJSON(rec)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.cat.PutTask(context.Background(), rec, d); err != nil {
		h.t.Fatal(err)
	}
	return d
}

// finish stores and indexes the record of run with these tasks.
func (h *testHome) finish(id string, sec int, status string, tasks map[string]core.Digest) *core.RunRecord {
	h.t.Helper()
	rec := &core.RunRecord{Type: core.RunType, ID: id, Flow: "housing", Status: status, Host: "builder-1",
		Started: base.Add(time.Duration(sec) * time.Second), Finished: base.Add(time.Duration(sec+10) * time.Second),
		Code: h.put("code " + id), Seed: 7, Tasks: tasks}
	d, err := h.st.PutJSON(rec)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.cat.FinishRun(context.Background(), rec, d); err != nil {
		h.t.Fatal(err)
	}
	return rec
}

func TestRunsListsOutputsAsStepDotOutputNewestFirst(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	h.finish("r1", 0, core.StatusSucceeded, map[string]core.Digest{
		"prepare": h.task("r1", "prepare", 1, core.StatusSucceeded, nil, "train", "test"),
		"train":   h.task("r1", "train", 3, core.StatusSucceeded, nil, "model"),
	})
	if err := h.cat.BeginRun(ctx, catalog.RunRow{ID: "r2", Flow: "housing", Started: base.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	list, err := Runs(ctx, h.cat, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "r2" || list[1].ID != "r1" {
		t.Fatalf("Runs() = %+v, want r2 then r1", list)
	}
	if list[0].Duration != 0 || list[0].Status != core.StatusRunning || len(list[0].Outputs) != 0 || list[0].Record != "" {
		t.Errorf("running run listed as %+v", list[0])
	}
	want := map[string]core.Digest{
		"prepare.train": core.DigestOf([]byte("r1preparetrain")),
		"prepare.test":  core.DigestOf([]byte("r1preparetest")),
		"train.model":   core.DigestOf([]byte("r1trainmodel")),
	}
	if !reflect.DeepEqual(list[1].Outputs, want) {
		t.Errorf("outputs of r1 = %v, want %v", list[1].Outputs, want)
	}
	if list[1].Duration != 10 || list[1].Record == "" {
		t.Errorf("finished run listed as %+v, want 10 s and its record", list[1])
	}
	if one, err := Runs(ctx, h.cat, 1); err != nil || len(one) != 1 || one[0].ID != "r2" {
		t.Errorf("Runs(limit 1) = %+v, %v; want r2 alone", one, err)
	}
}

func TestLoadRunOfARunningRunIsItsCatalogRow(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	if err := h.cat.BeginRun(ctx, catalog.RunRow{ID: "r1", Flow: "housing", Started: base, Host: "builder-1", Seed: 3}); err != nil {
		t.Fatal(err)
	}
	d := h.task("r1", "prepare", 1, core.StatusSucceeded, nil, "train")
	run, err := LoadRun(ctx, h.st, h.cat, "last")
	if err != nil {
		t.Fatal(err)
	}
	if run.Record.ID != "r1" || run.Record.Status != core.StatusRunning || run.Record.Seed != 3 || run.RecordDigest != "" {
		t.Errorf("record of a running run = %+v", run.Record)
	}
	if run.Record.Tasks["prepare"] != d || run.Tasks["prepare"] == nil || run.Tasks["prepare"].Step != "prepare" {
		t.Errorf("tasks of a running run = %v / %v, want prepare as %s", run.Record.Tasks, run.Tasks, d)
	}
}

func TestLoadRunKeepsTheCatalogsStatus(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	h.finish("r1", 0, core.StatusSucceeded, nil)
	if err := h.cat.SetRunStatus(ctx, "r1", core.StatusAborted, "killed", base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	run, err := LoadRun(ctx, h.st, h.cat, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if run.Record.Status != core.StatusAborted || run.Record.Error != "killed" || run.Record.Flow != "housing" || run.RecordDigest == "" {
		t.Errorf("record = %+v, want the stored record with the catalog's status", run.Record)
	}
}

func TestBadReferencesAreInputErrorsThatSayWhatExists(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	h.finish("r1", 0, core.StatusSucceeded, map[string]core.Digest{
		"train":   h.task("r1", "train", 5, core.StatusSucceeded, nil, "model"),
		"prepare": h.task("r1", "prepare", 1, core.StatusSucceeded, nil, "train"),
	})
	var ie *InputError
	if _, err := LoadRun(ctx, h.st, h.cat, "nope"); !errors.As(err, &ie) || !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("LoadRun(nope): err = %v, want an InputError wrapping catalog.ErrNotFound", err)
	}
	run, err := LoadRun(ctx, h.st, h.cat, "r")
	if err != nil {
		t.Fatal(err)
	}
	if got := run.Steps(); !reflect.DeepEqual(got, []string{"prepare", "train"}) {
		t.Errorf("Steps() = %v, want start order [prepare train]", got)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{second(run.Select("evaluate")), `run r1 has no step "evaluate" (steps: [prepare train])`},
		{second(run.Artifact("evaluate.score")), `TARGET "evaluate.score": want STEP.OUTPUT or code (steps of run r1: [prepare train])`},
		{second(run.Artifact("train")), `TARGET "train": want STEP.OUTPUT or code`},
		{second(run.Artifact("train.weights")), `step train of run r1 has no output "weights" (outputs: [model])`},
	} {
		if !errors.As(tc.err, &ie) || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("err = %v, want an InputError saying %q", tc.err, tc.want)
		}
	}
	if a, err := run.Artifact("train.model"); err != nil || a.Digest != core.DigestOf([]byte("r1trainmodel")) {
		t.Errorf("Artifact(train.model) = %+v, %v", a, err)
	}
	if a, err := run.Artifact("code"); err != nil || a.Digest != run.Record.Code || a.Kind != core.KindTree {
		t.Errorf("Artifact(code) = %+v, %v; want the code tree", a, err)
	}
	if steps, err := run.Select("train"); err != nil || !reflect.DeepEqual(steps, []string{"train"}) {
		t.Errorf("Select(train) = %v, %v", steps, err)
	}
}

func second[T any](_ T, err error) error { return err }

// putEnv stores an environment record for a kernel version.
func (h *testHome) putEnv(kernel string) core.Digest {
	h.t.Helper()
	d, err := h.st.PutJSON(capture.Environment{Kernel: kernel, Arch: "x86_64"})
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

func TestEnvironmentsAreShownOncePerDigest(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	e1, e2 := h.putEnv("6.1"), h.putEnv("6.8")
	with := func(d core.Digest) func(*core.TaskRecord) { return func(t *core.TaskRecord) { t.Environment = d } }
	h.finish("r1", 0, core.StatusSucceeded, map[string]core.Digest{
		"prepare":  h.task("r1", "prepare", 1, core.StatusSucceeded, with(e1)),
		"train":    h.task("r1", "train", 2, core.StatusSucceeded, with(e2)),
		"evaluate": h.task("r1", "evaluate", 3, core.StatusSucceeded, with(e1)),
		"skipped":  h.task("r1", "skipped", 4, core.StatusSkipped, nil),
	})
	envs, err := Environments(ctx, h.st, h.cat, "r1", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 2 || envs[0].Digest != e1 || envs[1].Digest != e2 {
		t.Fatalf("Environments() = %+v, want %s then %s", envs, e1, e2)
	}
	if !reflect.DeepEqual(envs[0].Steps, []string{"prepare", "evaluate"}) || envs[0].Env.Kernel != "6.1" {
		t.Errorf("first environment = steps %v kernel %q", envs[0].Steps, envs[0].Env.Kernel)
	}
	if raw, _ := h.st.ReadBytes(e2); string(envs[1].Raw) != string(raw) {
		t.Errorf("Raw = %s, want the stored bytes %s", envs[1].Raw, raw)
	}
	one, err := Environments(ctx, h.st, h.cat, "r1", "evaluate")
	if err != nil || len(one) != 1 || !reflect.DeepEqual(one[0].Steps, []string{"evaluate"}) {
		t.Errorf("Environments(evaluate) = %+v, %v", one, err)
	}
	s, err := Show(ctx, h.st, h.cat, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Environments) != 2 || s.Environment(e2) == nil || s.Environment(e2).Kernel != "6.8" || s.Environment("") != nil {
		t.Errorf("Show environments = %v", s.Environments)
	}
	if got := s.Steps(); !reflect.DeepEqual(got, []string{"prepare", "train", "evaluate", "skipped"}) {
		t.Errorf("Show steps = %v", got)
	}
}

func TestLogsInStepOrderFilteredByStream(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	logs := func(out, errs string) func(*core.TaskRecord) {
		return func(t *core.TaskRecord) {
			if out != "" {
				t.Stdout = h.put(out)
			}
			if errs != "" {
				t.Stderr = h.put(errs)
			}
		}
	}
	h.finish("r1", 0, core.StatusSucceeded, map[string]core.Digest{
		"train":   h.task("r1", "train", 2, core.StatusSucceeded, logs("epoch 1\n", "")),
		"prepare": h.task("r1", "prepare", 1, core.StatusSucceeded, logs("read 10 rows\n", "warning\n")),
	})
	show := func(ls []Log) string {
		var b strings.Builder
		for _, l := range ls {
			fmt.Fprintf(&b, "%s/%s:", l.Step, l.Stream)
			if err := Copy(h.st, l.Digest, &b); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	for _, tc := range []struct{ step, stream, want string }{
		{"", "both", "prepare/stdout:read 10 rows\nprepare/stderr:warning\ntrain/stdout:epoch 1\n"},
		{"", "stderr", "prepare/stderr:warning\n"},
		{"train", "stdout", "train/stdout:epoch 1\n"},
		{"train", "stderr", ""},
	} {
		ls, err := Logs(ctx, h.st, h.cat, "r1", tc.step, tc.stream)
		if err != nil {
			t.Fatal(err)
		}
		if got := show(ls); got != tc.want {
			t.Errorf("Logs(%q, %q) = %q, want %q", tc.step, tc.stream, got, tc.want)
		}
	}
}

func TestSummaryShowsTheTailOfAFailedStepsLog(t *testing.T) {
	h := newHome(t)
	var lines []string
	for i := 1; i <= 15; i++ {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	stderr := h.put(strings.Join(lines, "\n") + "\n")
	rec := h.finish("r1", 0, core.StatusFailed, map[string]core.Digest{
		"train":   h.task("r1", "train", 2, core.StatusFailed, func(t *core.TaskRecord) { t.Stderr, t.ExitCode = stderr, 1 }),
		"prepare": h.task("r1", "prepare", 1, core.StatusSucceeded, func(t *core.TaskRecord) { t.Stderr = stderr }, "train"),
		"lost":    h.put("not a task record"),
	})
	sum := Summary(h.st, rec, 10)
	if len(sum) != 2 || sum[0].Step != "prepare" || sum[1].Step != "train" {
		t.Fatalf("Summary() = %+v, want prepare and train by name (an unreadable record left out)", sum)
	}
	if sum[0].LogTail != nil {
		t.Errorf("a succeeded step got a log tail: %v", sum[0].LogTail)
	}
	if !reflect.DeepEqual(sum[1].LogTail, lines[5:]) {
		t.Errorf("LogTail = %v, want the last 10 lines", sum[1].LogTail)
	}
}

func TestLastLinesReadsOnlyTheEndOfALongLog(t *testing.T) {
	h := newHome(t)
	long := strings.Repeat("x", 20<<10) + "\nfirst\nsecond\n"
	if got := LastLines(h.st, h.put(long), 2); !reflect.DeepEqual(got, []string{"first", "second"}) {
		t.Errorf("LastLines = %q", got)
	}
	if got := LastLines(h.st, h.put(long), 3); len(got) != 3 || len(got[0]) != 16<<10-len("\nfirst\nsecond\n") {
		t.Errorf("LastLines kept %d bytes of the long line, want what fits in 16 KiB", len(got[0]))
	}
	if got := LastLines(h.st, h.put(""), 3); got != nil {
		t.Errorf("LastLines of an empty log = %q, want nil", got)
	}
	if got := LastLines(h.st, "", 3); got != nil {
		t.Errorf("LastLines of no log = %q, want nil", got)
	}
}
