package catalogtest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

func testBeginRunRoundTrip(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	in := catalog.RunRow{
		ID: "20260301-abc", Flow: "housing", Status: "ignored", Record: Digest("ignored"),
		Started: At(0), Finished: At(5), Host: "builder-1", PID: 4242, Code: Digest("code"),
		Seed: -7, ResumedFrom: "20260228-xyz",
	}
	if err := c.BeginRun(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := c.Run(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Status, want.Record, want.Finished = core.StatusRunning, "", time.Time{}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Run() = %+v\nwant    %+v", *got, want)
	}
}

func testBeginRunRejects(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	if err := c.BeginRun(ctx, catalog.RunRow{ID: "r1", Started: At(0)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		row  catalog.RunRow
		want error
	}{
		{"id taken", catalog.RunRow{ID: "r1", Started: At(1)}, catalog.ErrRunExists},
		{"no id", catalog.RunRow{Started: At(1)}, nil},
		{"no start time", catalog.RunRow{ID: "r2"}, nil},
		{"start time out of range", catalog.RunRow{ID: "r3", Started: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}, nil},
	} {
		err := c.BeginRun(ctx, tc.row)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if r, _ := c.Run(ctx, "r1"); r == nil || !r.Started.Equal(At(0)) {
		t.Errorf("a rejected BeginRun changed the existing run: %+v", r)
	}
}

func testFinishRun(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	if err := c.BeginRun(ctx, catalog.RunRow{ID: "r1", Flow: "housing", Started: At(0), Host: "builder-1", PID: 99}); err != nil {
		t.Fatal(err)
	}
	rec := RunRecord("r1", 0, core.StatusFailed)
	rec.Error, rec.ResumedFrom = "step train: exit 1", "r0"
	if err := c.FinishRun(ctx, rec, Digest("record r1")); err != nil {
		t.Fatal(err)
	}
	// A rebuild indexes a run no process began.
	if err := c.FinishRun(ctx, RunRecord("r2", 10, core.StatusSucceeded), Digest("record r2")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []catalog.RunRow{
		{ID: "r1", Flow: "housing", Status: core.StatusFailed, Error: "step train: exit 1", Record: Digest("record r1"),
			Started: At(0), Finished: At(60), Host: "builder-1", PID: 99, Code: Digest("code r1"), Seed: 42, ResumedFrom: "r0"},
		{ID: "r2", Flow: "housing", Status: core.StatusSucceeded, Record: Digest("record r2"),
			Started: At(10), Finished: At(70), Host: "builder-1", Code: Digest("code r2"), Seed: 42},
	} {
		got, err := c.Run(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Run(%s) = %+v\nwant     %+v", want.ID, *got, want)
		}
	}
	if err := c.FinishRun(ctx, RunRecord("r3", 0, core.StatusSucceeded), "sha256:nothex"); err == nil {
		t.Error("FinishRun accepted a malformed record digest")
	}
}

func testSetRunStatus(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	if err := c.BeginRun(ctx, catalog.RunRow{ID: "r1", Started: At(0)}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetRunStatus(ctx, "r1", core.StatusAborted, "process 99 on builder-1 is gone", At(30)); err != nil {
		t.Fatal(err)
	}
	got, err := c.Run(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != core.StatusAborted || got.Error != "process 99 on builder-1 is gone" || !got.Finished.Equal(At(30)) {
		t.Errorf("after SetRunStatus: %+v", got)
	}
	if err := c.SetRunStatus(ctx, "nope", core.StatusAborted, "", At(30)); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("SetRunStatus of an unknown run: err = %v, want catalog.ErrNotFound", err)
	}
}

func testRunNotFound(t *testing.T, c catalog.Catalog) {
	if _, err := c.Run(context.Background(), "nope"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("err = %v, want catalog.ErrNotFound", err)
	}
}

// ids returns the ids of rows.
func ids(rows []catalog.RunRow) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func testRunsNewestFirst(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	for _, r := range []catalog.RunRow{{ID: "b", Started: At(20)}, {ID: "a", Started: At(30)}, {ID: "c", Started: At(10)}} {
		if err := c.BeginRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.FinishRun(ctx, RunRecord("b", 20, core.StatusSucceeded), Digest("b")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{0, []string{"a", "b", "c"}},
		{-1, []string{"a", "b", "c"}},
		{2, []string{"a", "b"}},
		{10, []string{"a", "b", "c"}},
	} {
		rows, err := c.Runs(ctx, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(rows); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Runs(%d) = %v, want %v", tc.limit, got, tc.want)
		}
	}
	running, err := c.RunningRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(running), []string{"c", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RunningRuns() = %v, want %v (oldest first)", got, want)
	}
}

func testRunsWithOutputs(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	for _, r := range []catalog.RunRow{{ID: "b", Started: At(20)}, {ID: "a", Started: At(30)}, {ID: "c", Started: At(10)}} {
		if err := c.BeginRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, rec := range []*core.TaskRecord{
		TaskRecord("b", "prepare", 21, core.StatusSucceeded, "", "train", "test"),
		TaskRecord("b", "train", 22, core.StatusFailed, ""),
		TaskRecord("a", "prepare", 31, core.StatusSucceeded, "", "train"),
		TaskRecord("a", "train", 32, core.StatusSucceeded, "", "model"),
	} {
		if err := c.PutTask(ctx, rec, Digest("task "+rec.Run+rec.Step)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.FinishRun(ctx, RunRecord("b", 20, core.StatusFailed), Digest("b")); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]map[string]core.Digest{
		"a": {"prepare": {"train": Digest("apreparetrain")}, "train": {"model": Digest("atrainmodel")}},
		"b": {"prepare": {"train": Digest("bpreparetrain"), "test": Digest("bpreparetest")}},
		"c": {},
	}
	for _, limit := range []int{0, -1, 1, 2, 10} {
		runs, err := c.Runs(ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.RunsWithOutputs(ctx, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(runs) {
			t.Fatalf("RunsWithOutputs(%d) gave %d runs, Runs gave %d", limit, len(got), len(runs))
		}
		for i, r := range got {
			if !reflect.DeepEqual(r.RunRow, runs[i]) {
				t.Errorf("RunsWithOutputs(%d)[%d] = %+v\nRuns gave %+v", limit, i, r.RunRow, runs[i])
			}
			if !reflect.DeepEqual(r.Outputs, want[r.ID]) {
				t.Errorf("RunsWithOutputs(%d): outputs of %s = %v, want %v", limit, r.ID, r.Outputs, want[r.ID])
			}
		}
	}
}
