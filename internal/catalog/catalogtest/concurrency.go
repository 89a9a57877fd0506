package catalogtest

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sync"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// testReopenKeepsRows writes, closes, and opens the database twice more:
// what was written is there, and reopening (which checks and applies
// migrations) changes nothing.
func testReopenKeepsRows(t *testing.T, url string) {
	ctx := context.Background()
	for i := range 3 {
		c, err := catalog.OpenURL(ctx, url)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		if i == 0 {
			if err := c.BeginRun(ctx, catalog.RunRow{ID: "r1", Flow: "f", Started: At(0)}); err != nil {
				t.Fatal(err)
			}
		}
		if runs, err := c.Runs(ctx, 0); err != nil || len(runs) != 1 || runs[0].ID != "r1" {
			t.Errorf("open %d: runs %+v, %v; want the run written before reopening", i+1, runs, err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// testOpenFreshConcurrently opens one fresh database from eight goroutines
// at once, as eight processes starting together would: each open creates
// or migrates it, and none may fail.
func testOpenFreshConcurrently(t *testing.T, url string) {
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			c, err := catalog.OpenURL(ctx, url)
			if err == nil {
				err = c.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
}

// RunsPerWriter is how many runs (each with two tasks) WriteRuns adds.
const RunsPerWriter = 150

// WriteRuns does what a lockstep run does to the catalog, RunsPerWriter
// times: begin run PREFIX-NNN, put two tasks, finish it.
func WriteRuns(ctx context.Context, c catalog.Catalog, prefix string) error {
	for i := range RunsPerWriter {
		id := fmt.Sprintf("%s-%03d", prefix, i)
		if err := c.BeginRun(ctx, catalog.RunRow{ID: id, Flow: "housing", Started: At(i), Host: "h", PID: os.Getpid()}); err != nil {
			return err
		}
		for j, step := range []string{"prepare", "train"} {
			rec := TaskRecord(id, step, i+j, core.StatusSucceeded, Digest(id+step), "out")
			if err := c.PutTask(ctx, rec, Digest(id+"/"+step)); err != nil {
				return err
			}
		}
		if err := c.FinishRun(ctx, RunRecord(id, i, core.StatusSucceeded), Digest(id)); err != nil {
			return err
		}
	}
	return nil
}

// CheckWritten fails t unless c holds exactly the runs WriteRuns wrote
// for each prefix: none lost, none extra, and each one whole (finished,
// its own record, both tasks with their outputs and cache keys).
func CheckWritten(t *testing.T, c catalog.Catalog, prefixes []string) {
	t.Helper()
	ctx := context.Background()
	runs, err := c.RunsWithOutputs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]catalog.RunOutputs{}
	for _, r := range runs {
		got[r.ID] = r
	}
	if want := len(prefixes) * RunsPerWriter; len(runs) != want || len(got) != want {
		t.Errorf("%d runs in the catalog (%d ids), want %d", len(runs), len(got), want)
	}
	bad := 0
	for _, prefix := range prefixes {
		for i := range RunsPerWriter {
			id := fmt.Sprintf("%s-%03d", prefix, i)
			r, ok := got[id]
			want := map[string]map[string]core.Digest{
				"prepare": {"out": Digest(id + "prepare" + "out")},
				"train":   {"out": Digest(id + "train" + "out")},
			}
			if !ok || r.Status != core.StatusSucceeded || r.Record != Digest(id) || !reflect.DeepEqual(r.Outputs, want) {
				if bad++; bad <= 5 {
					t.Errorf("run %s: found %v, %+v; want it succeeded with its record and both tasks' outputs", id, ok, r)
				}
			}
		}
		id := fmt.Sprintf("%s-%03d", prefix, RunsPerWriter-1)
		if _, ok, err := c.CacheLookup(ctx, Digest(id+"train")); err != nil || !ok {
			t.Errorf("cache key of %s/train: found %v, %v", id, ok, err)
		}
	}
	if bad > 5 {
		t.Errorf("... %d runs are wrong in all", bad)
	}
}

// testConcurrentWriters has three handles on one fresh database, each
// opened at the same moment, and two goroutines writing through each:
// every write must succeed and every row must be there.
func testConcurrentWriters(t *testing.T, url string) {
	if testing.Short() {
		t.Skip("writes thousands of transactions")
	}
	ctx := context.Background()
	handles := make([]catalog.Catalog, 3)
	openErrs := make([]error, len(handles))
	var wg sync.WaitGroup
	for i := range handles {
		wg.Go(func() { handles[i], openErrs[i] = catalog.OpenURL(ctx, url) })
	}
	wg.Wait()
	for i, err := range openErrs {
		if err == nil {
			t.Cleanup(func() { handles[i].Close() })
		}
	}
	for i, err := range openErrs {
		if err != nil {
			t.Fatalf("open handle %d: %v", i, err)
		}
	}
	var prefixes []string
	errs := make([]error, 2*len(handles))
	for g := range errs {
		prefix := fmt.Sprintf("writer%d", g)
		prefixes = append(prefixes, prefix)
		wg.Go(func() { errs[g] = WriteRuns(ctx, handles[g%len(handles)], prefix) })
	}
	wg.Wait()
	for g, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", g, err)
		}
	}
	CheckWritten(t, handles[0], prefixes)
}
