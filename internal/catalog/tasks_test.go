package catalog

import (
	"context"
	"reflect"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// taskRecord is a task record of step in run, started at at(sec).
func taskRecord(run, step string, sec int, status string, key core.Digest, outputs ...string) *core.TaskRecord {
	rec := &core.TaskRecord{
		Type: core.TaskType, Run: run, Step: step, Status: status, CacheKey: key,
		Started: at(sec), Finished: at(sec + 5), Outputs: map[string]core.Artifact{},
	}
	if status == core.StatusFailed {
		rec.ExitCode = 1
	}
	for _, o := range outputs {
		rec.Outputs[o] = core.Artifact{Digest: dg(run + step + o), Kind: core.KindFile}
	}
	return rec
}

// putTasks indexes each record with a digest derived from its run and step.
func putTasks(t *testing.T, c *Catalog, recs ...*core.TaskRecord) {
	t.Helper()
	for _, rec := range recs {
		if err := c.PutTask(context.Background(), rec, dg("task "+rec.Run+"/"+rec.Step)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPutTaskRoundTrip(t *testing.T) {
	c := openTemp(t)
	ctx := context.Background()
	putTasks(t, c,
		taskRecord("r1", "train", 20, core.StatusFailed, dg("k train"), "model"),
		taskRecord("r1", "prepare", 10, core.StatusSucceeded, dg("k prepare"), "train", "test"),
		taskRecord("r2", "prepare", 0, core.StatusSucceeded, dg("k prepare")),
	)
	running := taskRecord("r1", "report", 0, core.StatusRunning, "")
	running.Started, running.Finished = time.Time{}, time.Time{}
	putTasks(t, c, running)
	got, err := c.Tasks(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	want := []TaskRow{
		{Run: "r1", Step: "prepare", Status: core.StatusSucceeded, Record: dg("task r1/prepare"), CacheKey: dg("k prepare"),
			Started: at(10), Finished: at(15), Outputs: map[string]core.Digest{"test": dg("r1preparetest"), "train": dg("r1preparetrain")}},
		{Run: "r1", Step: "train", Status: core.StatusFailed, Record: dg("task r1/train"), CacheKey: dg("k train"), ExitCode: 1,
			Started: at(20), Finished: at(25), Outputs: map[string]core.Digest{"model": dg("r1trainmodel")}},
		{Run: "r1", Step: "report", Status: core.StatusRunning, Record: dg("task r1/report"), Outputs: map[string]core.Digest{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tasks(r1) =\n%+v\nwant\n%+v", got, want)
	}
	if none, err := c.Tasks(ctx, "nope"); err != nil || len(none) != 0 {
		t.Errorf("Tasks(nope) = %v, %v; want none", none, err)
	}
}

func TestPutTaskReplacesOutputs(t *testing.T) {
	c := openTemp(t)
	ctx := context.Background()
	putTasks(t, c, taskRecord("r1", "train", 0, core.StatusRunning, "", "old"))
	putTasks(t, c, taskRecord("r1", "train", 0, core.StatusSucceeded, dg("k"), "model", "metrics"))
	got, err := c.Tasks(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Status != core.StatusSucceeded ||
		!reflect.DeepEqual(got[0].Outputs, map[string]core.Digest{"model": dg("r1trainmodel"), "metrics": dg("r1trainmetrics")}) {
		t.Errorf("after re-put: %+v", got)
	}
}

func TestPutTaskRejectsBadRecords(t *testing.T) {
	c := openTemp(t)
	badOutput := taskRecord("r1", "s", 0, core.StatusSucceeded, "")
	badOutput.Outputs["x"] = core.Artifact{Digest: "sha256:0"}
	badKey := taskRecord("r1", "s", 0, core.StatusSucceeded, "md5:abc")
	for name, tc := range map[string]struct {
		rec *core.TaskRecord
		d   core.Digest
	}{
		"nil record":    {nil, dg("x")},
		"no step":       {taskRecord("r1", "", 0, core.StatusSucceeded, ""), dg("x")},
		"bad digest":    {taskRecord("r1", "s", 0, core.StatusSucceeded, ""), "sha256:zz"},
		"bad output":    {badOutput, dg("x")},
		"bad cache key": {badKey, dg("x")},
	} {
		if err := c.PutTask(context.Background(), tc.rec, tc.d); err == nil {
			t.Errorf("%s: PutTask accepted it", name)
		}
	}
	if got, _ := c.Tasks(context.Background(), "r1"); len(got) != 0 {
		t.Errorf("rejected tasks were indexed: %+v", got)
	}
}

func TestCacheLookup(t *testing.T) {
	c := openTemp(t)
	ctx := context.Background()
	key, failedKey := dg("key"), dg("failed key")
	putTasks(t, c,
		taskRecord("old", "train", 0, core.StatusSucceeded, key),
		taskRecord("new", "train", 100, core.StatusSucceeded, key),
		taskRecord("mid", "train", 50, core.StatusSucceeded, key),
		taskRecord("newest-failed", "train", 200, core.StatusFailed, key),
		taskRecord("newest-cached", "train", 300, core.StatusCached, key),
		taskRecord("f", "train", 0, core.StatusFailed, failedKey),
		taskRecord("s", "train", 0, core.StatusSkipped, ""),
	)
	for _, tc := range []struct {
		name   string
		key    core.Digest
		want   core.Digest
		wantOK bool
	}{
		{"newest succeeded wins", key, dg("task new/train"), true},
		{"failed tasks are not reused", failedKey, "", false},
		{"unknown key", dg("other"), "", false},
		{"empty key", "", "", false},
	} {
		got, ok, err := c.CacheLookup(ctx, tc.key)
		if err != nil || got != tc.want || ok != tc.wantOK {
			t.Errorf("%s: CacheLookup = %s, %v, %v; want %s, %v", tc.name, got, ok, err, tc.want, tc.wantOK)
		}
	}
}
