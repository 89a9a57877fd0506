package catalogtest

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// fillForGC indexes: finished runs f1 (oldest) .. f3 (newest), a running
// run "live" with one task, an aborted run "dead" (no record) with one task,
// an orphan task of a run the catalog does not know, a name and an
// attestation.
func fillForGC(t *testing.T, c catalog.Catalog) {
	t.Helper()
	ctx := context.Background()
	for i, id := range []string{"f1", "f2", "f3"} {
		if err := c.FinishRun(ctx, RunRecord(id, i*10, core.StatusSucceeded), Digest("record "+id)); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range []string{"live", "dead"} {
		if err := c.BeginRun(ctx, catalog.RunRow{ID: id, Started: At(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SetRunStatus(ctx, "dead", core.StatusAborted, "killed", At(100)); err != nil {
		t.Fatal(err)
	}
	putTasks(t, c,
		TaskRecord("f1", "train", 0, core.StatusSucceeded, Digest("k1"), "model"),
		TaskRecord("live", "train", 1, core.StatusSucceeded, Digest("k2"), "model"),
		TaskRecord("dead", "train", 2, core.StatusSucceeded, Digest("k3"), "model"),
		TaskRecord("orphan", "train", 3, core.StatusSucceeded, Digest("k4"), "model"),
	)
	if err := c.BindName(ctx, "dataset", "housing@2017", Digest("tree"), Digest("bom")); err != nil {
		t.Fatal(err)
	}
	if err := c.PutAttestation(ctx, attestation("bundle f1", "model", "f1", 0)); err != nil {
		t.Fatal(err)
	}
}

func testRoots(t *testing.T, c catalog.Catalog) {
	fillForGC(t, c)
	always := []string{"tree", "bom", "bundle f1", "task live/train"}
	for _, tc := range []struct {
		keepLast int
		want     []string
	}{
		{0, append([]string{"record f1", "record f2", "record f3", "task dead/train", "task orphan/train"}, always...)},
		{-1, append([]string{"record f1", "record f2", "record f3", "task dead/train", "task orphan/train"}, always...)},
		{1, append([]string{"record f3"}, always...)},
		{2, append([]string{"record f3", "record f2"}, always...)},
		// "dead" started At(1), after f1 At(0): the fourth newest finished run.
		{3, append([]string{"record f3", "record f2", "task dead/train"}, always...)},
		{10, append([]string{"record f1", "record f2", "record f3", "task dead/train"}, always...)},
	} {
		got, err := c.Roots(context.Background(), tc.keepLast)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]core.Digest, 0, len(tc.want))
		for _, label := range tc.want {
			want = append(want, Digest(label))
		}
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Roots(%d): got %d digests, want %d (%v)", tc.keepLast, len(got), len(want), tc.want)
		}
	}
}

func testReset(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	fillForGC(t, c)
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	roots, err := c.Roots(ctx, 0)
	if err != nil || len(roots) != 0 {
		t.Errorf("after Reset: Roots = %v, %v; want none", roots, err)
	}
	if runs, _ := c.Runs(ctx, 0); len(runs) != 0 {
		t.Errorf("after Reset: %d runs", len(runs))
	}
	if _, ok, _ := c.CacheLookup(ctx, Digest("k1")); ok {
		t.Error("after Reset: the cache still finds k1")
	}
	// A rebuild puts the same records again.
	fillForGC(t, c)
	if roots, _ := c.Roots(ctx, 0); len(roots) != 9 {
		t.Errorf("after rebuild: %d roots, want 9", len(roots))
	}
}

func testDeleteRun(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	fillForGC(t, c)
	if err := c.DeleteRun(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, "f1"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("run f1 after DeleteRun: err = %v, want catalog.ErrNotFound", err)
	}
	if tasks, _ := c.Tasks(ctx, "f1"); len(tasks) != 0 {
		t.Errorf("tasks of f1 after DeleteRun: %+v", tasks)
	}
	if as, _ := c.RunAttestations(ctx, "f1"); len(as) != 0 {
		t.Errorf("attestations of f1 after DeleteRun: %+v", as)
	}
	if _, ok, _ := c.CacheLookup(ctx, Digest("k1")); ok {
		t.Error("the cache still finds the task of a deleted run")
	}
	if runs, _ := c.Runs(ctx, 0); len(runs) != 4 {
		t.Errorf("%d runs left, want 4", len(runs))
	}
	if err := c.DeleteRun(ctx, "f1"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("deleting f1 twice: err = %v, want catalog.ErrNotFound", err)
	}
	// Orphan tasks are deleted by their run id too.
	if err := c.DeleteRun(ctx, "orphan"); err != nil {
		t.Errorf("delete the tasks of an unknown run: %v", err)
	}
}
