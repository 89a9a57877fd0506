package catalogtest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// putTasks indexes each record with a digest derived from its run and step.
func putTasks(t *testing.T, c catalog.Catalog, recs ...*core.TaskRecord) {
	t.Helper()
	for _, rec := range recs {
		if err := c.PutTask(context.Background(), rec, Digest("task "+rec.Run+"/"+rec.Step)); err != nil {
			t.Fatal(err)
		}
	}
}

func testPutTaskRoundTrip(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	putTasks(t, c,
		TaskRecord("r1", "train", 20, core.StatusFailed, Digest("k train"), "model"),
		TaskRecord("r1", "prepare", 10, core.StatusSucceeded, Digest("k prepare"), "train", "test"),
		TaskRecord("r2", "prepare", 0, core.StatusSucceeded, Digest("k prepare")),
	)
	running := TaskRecord("r1", "report", 0, core.StatusRunning, "")
	running.Started, running.Finished = time.Time{}, time.Time{}
	putTasks(t, c, running)
	got, err := c.Tasks(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.TaskRow{
		{Run: "r1", Step: "prepare", Status: core.StatusSucceeded, Record: Digest("task r1/prepare"), CacheKey: Digest("k prepare"),
			Started: At(10), Finished: At(15), Outputs: map[string]core.Digest{"test": Digest("r1preparetest"), "train": Digest("r1preparetrain")}},
		{Run: "r1", Step: "train", Status: core.StatusFailed, Record: Digest("task r1/train"), CacheKey: Digest("k train"), ExitCode: 1,
			Started: At(20), Finished: At(25), Outputs: map[string]core.Digest{"model": Digest("r1trainmodel")}},
		{Run: "r1", Step: "report", Status: core.StatusRunning, Record: Digest("task r1/report"), Outputs: map[string]core.Digest{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tasks(r1) =\n%+v\nwant\n%+v", got, want)
	}
	if none, err := c.Tasks(ctx, "nope"); err != nil || len(none) != 0 {
		t.Errorf("Tasks(nope) = %v, %v; want none", none, err)
	}
}

func testPutTaskReplacesOutputs(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	putTasks(t, c, TaskRecord("r1", "train", 0, core.StatusRunning, "", "old"))
	putTasks(t, c, TaskRecord("r1", "train", 0, core.StatusSucceeded, Digest("k"), "model", "metrics"))
	got, err := c.Tasks(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Status != core.StatusSucceeded ||
		!reflect.DeepEqual(got[0].Outputs, map[string]core.Digest{"model": Digest("r1trainmodel"), "metrics": Digest("r1trainmetrics")}) {
		t.Errorf("after re-put: %+v", got)
	}
}

func testPutTaskRejectsBadRecords(t *testing.T, c catalog.Catalog) {
	badOutput := TaskRecord("r1", "s", 0, core.StatusSucceeded, "")
	badOutput.Outputs["x"] = core.Artifact{Digest: "sha256:0"}
	badKey := TaskRecord("r1", "s", 0, core.StatusSucceeded, "md5:abc")
	for name, tc := range map[string]struct {
		rec *core.TaskRecord
		d   core.Digest
	}{
		"nil record":    {nil, Digest("x")},
		"no step":       {TaskRecord("r1", "", 0, core.StatusSucceeded, ""), Digest("x")},
		"bad digest":    {TaskRecord("r1", "s", 0, core.StatusSucceeded, ""), "sha256:zz"},
		"bad output":    {badOutput, Digest("x")},
		"bad cache key": {badKey, Digest("x")},
	} {
		if err := c.PutTask(context.Background(), tc.rec, tc.d); err == nil {
			t.Errorf("%s: PutTask accepted it", name)
		}
	}
	if got, _ := c.Tasks(context.Background(), "r1"); len(got) != 0 {
		t.Errorf("rejected tasks were indexed: %+v", got)
	}
}

func testCacheLookup(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	key, failedKey := Digest("key"), Digest("failed key")
	putTasks(t, c,
		TaskRecord("old", "train", 0, core.StatusSucceeded, key),
		TaskRecord("new", "train", 100, core.StatusSucceeded, key),
		TaskRecord("mid", "train", 50, core.StatusSucceeded, key),
		TaskRecord("newest-failed", "train", 200, core.StatusFailed, key),
		TaskRecord("newest-cached", "train", 300, core.StatusCached, key),
		TaskRecord("f", "train", 0, core.StatusFailed, failedKey),
		TaskRecord("s", "train", 0, core.StatusSkipped, ""),
	)
	for _, tc := range []struct {
		name   string
		key    core.Digest
		want   core.Digest
		wantOK bool
	}{
		{"newest succeeded wins", key, Digest("task new/train"), true},
		{"failed tasks are not reused", failedKey, "", false},
		{"unknown key", Digest("other"), "", false},
		{"empty key", "", "", false},
	} {
		got, ok, err := c.CacheLookup(ctx, tc.key)
		if err != nil || got != tc.want || ok != tc.wantOK {
			t.Errorf("%s: CacheLookup = %s, %v, %v; want %s, %v", tc.name, got, ok, err, tc.want, tc.wantOK)
		}
	}
}
