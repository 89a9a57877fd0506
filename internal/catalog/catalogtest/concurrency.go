package catalogtest

import (
	"context"
	"fmt"
	"os"
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
// for each prefix, finished, with their tasks.
func CheckWritten(t *testing.T, c catalog.Catalog, prefixes []string) {
	t.Helper()
	ctx := context.Background()
	runs, err := c.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(prefixes) * RunsPerWriter; len(runs) != want {
		t.Errorf("%d runs in the catalog, want %d", len(runs), want)
	}
	for _, prefix := range prefixes {
		id := fmt.Sprintf("%s-%03d", prefix, RunsPerWriter-1)
		tasks, err := c.Tasks(ctx, id)
		if err != nil || len(tasks) != 2 {
			t.Errorf("tasks of %s: %d, %v; want 2", id, len(tasks), err)
		}
		if r, err := c.Run(ctx, id); err != nil || r.Status != core.StatusSucceeded {
			t.Errorf("run %s: %+v, %v; want succeeded", id, r, err)
		}
		if _, ok, err := c.CacheLookup(ctx, Digest(id+"train")); err != nil || !ok {
			t.Errorf("cache key of %s/train: found %v, %v", id, ok, err)
		}
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
