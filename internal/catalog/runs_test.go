package catalog

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// runRecord is a finished run record started at at(sec).
func runRecord(id string, sec int, status string) *core.RunRecord {
	return &core.RunRecord{
		Type: core.RunType, ID: id, Flow: "housing", Code: dg("code " + id), Seed: 42,
		Status: status, Host: "builder-1", Started: at(sec), Finished: at(sec + 60),
	}
}

func TestBeginRunRoundTrip(t *testing.T) {
	c := openTemp(t)
	ctx := context.Background()
	in := RunRow{
		ID: "20260301-abc", Flow: "housing", Status: "ignored", Record: dg("ignored"),
		Started: at(0), Finished: at(5), Host: "builder-1", PID: 4242, Code: dg("code"),
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

func TestBeginRunRejects(t *testing.T) {
	c := openTemp(t)
	ctx := context.Background()
	if err := c.BeginRun(ctx, RunRow{ID: "r1", Started: at(0)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		row  RunRow
		want error
	}{
		{"id taken", RunRow{ID: "r1", Started: at(1)}, ErrRunExists},
		{"no id", RunRow{Started: at(1)}, nil},
		{"no start time", RunRow{ID: "r2"}, nil},
		{"start time out of range", RunRow{ID: "r3", Started: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}, nil},
	} {
		err := c.BeginRun(ctx, tc.row)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if r, _ := c.Run(ctx, "r1"); r == nil || !r.Started.Equal(at(0)) {
		t.Errorf("a rejected BeginRun changed the existing run: %+v", r)
	}
}

func TestFinishRun(t *testing.T) {
	c := openTemp(t)
	ctx := context.Background()
	if err := c.BeginRun(ctx, RunRow{ID: "r1", Flow: "housing", Started: at(0), Host: "builder-1", PID: 99}); err != nil {
		t.Fatal(err)
	}
	rec := runRecord("r1", 0, core.StatusFailed)
	rec.Error, rec.ResumedFrom = "step train: exit 1", "r0"
	if err := c.FinishRun(ctx, rec, dg("record r1")); err != nil {
		t.Fatal(err)
	}
	// A rebuild indexes a run no process began.
	if err := c.FinishRun(ctx, runRecord("r2", 10, core.StatusSucceeded), dg("record r2")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []RunRow{
		{ID: "r1", Flow: "housing", Status: core.StatusFailed, Error: "step train: exit 1", Record: dg("record r1"),
			Started: at(0), Finished: at(60), Host: "builder-1", PID: 99, Code: dg("code r1"), Seed: 42, ResumedFrom: "r0"},
		{ID: "r2", Flow: "housing", Status: core.StatusSucceeded, Record: dg("record r2"),
			Started: at(10), Finished: at(70), Host: "builder-1", Code: dg("code r2"), Seed: 42},
	} {
		got, err := c.Run(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Run(%s) = %+v\nwant     %+v", want.ID, *got, want)
		}
	}
	if err := c.FinishRun(ctx, runRecord("r3", 0, core.StatusSucceeded), "sha256:nothex"); err == nil {
		t.Error("FinishRun accepted a malformed record digest")
	}
}

func TestSetRunStatus(t *testing.T) {
	c := openTemp(t)
	ctx := context.Background()
	if err := c.BeginRun(ctx, RunRow{ID: "r1", Started: at(0)}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetRunStatus(ctx, "r1", core.StatusAborted, "process 99 on builder-1 is gone", at(30)); err != nil {
		t.Fatal(err)
	}
	got, err := c.Run(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != core.StatusAborted || got.Error != "process 99 on builder-1 is gone" || !got.Finished.Equal(at(30)) {
		t.Errorf("after SetRunStatus: %+v", got)
	}
	if err := c.SetRunStatus(ctx, "nope", core.StatusAborted, "", at(30)); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetRunStatus of an unknown run: err = %v, want ErrNotFound", err)
	}
}

func TestRunNotFound(t *testing.T) {
	c := openTemp(t)
	if _, err := c.Run(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

// ids returns the ids of rows.
func ids(rows []RunRow) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestRunsNewestFirst(t *testing.T) {
	c := openTemp(t)
	ctx := context.Background()
	for _, r := range []RunRow{{ID: "b", Started: at(20)}, {ID: "a", Started: at(30)}, {ID: "c", Started: at(10)}} {
		if err := c.BeginRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.FinishRun(ctx, runRecord("b", 20, core.StatusSucceeded), dg("b")); err != nil {
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
