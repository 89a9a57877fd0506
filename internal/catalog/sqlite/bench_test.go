package sqlite

import (
	"context"
	"fmt"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
	"lockstep.dev/lockstep/internal/core"
)

// fillRuns indexes n finished runs with two tasks each.
func fillRuns(b *testing.B, c *Catalog, n int) {
	b.Helper()
	ctx := context.Background()
	for i := range n {
		id := fmt.Sprintf("run-%06d", i)
		if err := c.FinishRun(ctx, catalogtest.RunRecord(id, i, core.StatusSucceeded), catalogtest.Digest(id)); err != nil {
			b.Fatal(err)
		}
		for _, step := range []string{"prepare", "train"} {
			rec := catalogtest.TaskRecord(id, step, i, core.StatusSucceeded, catalogtest.Digest("key "+id+step), "out")
			if err := c.PutTask(ctx, rec, catalogtest.Digest(id+step)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRunLifecycle measures what one run with two tasks costs the
// catalog: BeginRun, two PutTask, FinishRun (four write transactions).
func BenchmarkRunLifecycle(b *testing.B) {
	c := OpenTemp(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("run-%06d", i)
		if err := c.BeginRun(ctx, catalog.RunRow{ID: id, Started: catalogtest.At(i)}); err != nil {
			b.Fatal(err)
		}
		for _, step := range []string{"prepare", "train"} {
			if err := c.PutTask(ctx, catalogtest.TaskRecord(id, step, i, core.StatusSucceeded, catalogtest.Digest(id+step), "out"), catalogtest.Digest(id+step)); err != nil {
				b.Fatal(err)
			}
		}
		if err := c.FinishRun(ctx, catalogtest.RunRecord(id, i, core.StatusSucceeded), catalogtest.Digest(id)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCacheLookup looks a key up among 20,000 tasks.
func BenchmarkCacheLookup(b *testing.B) {
	c := OpenTemp(b)
	fillRuns(b, c, 10000)
	key := catalogtest.Digest("key run-005000train")
	for b.Loop() {
		if _, ok, err := c.CacheLookup(context.Background(), key); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkResolveRunPrefix resolves a unique prefix among 10,000 runs.
func BenchmarkResolveRunPrefix(b *testing.B) {
	c := OpenTemp(b)
	fillRuns(b, c, 10000)
	for b.Loop() {
		if id, err := c.ResolveRun(context.Background(), "run-00500"); err == nil || id != "" {
			b.Fatal("run-00500 should be ambiguous")
		}
		if _, err := c.ResolveRun(context.Background(), "run-005000"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoots lists the gc roots of 10,000 runs.
func BenchmarkRoots(b *testing.B) {
	c := OpenTemp(b)
	fillRuns(b, c, 10000)
	for b.Loop() {
		if _, err := c.Roots(context.Background(), 100); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunsListing lists the newest 50 of 10,000 runs with their task
// outputs: one query (RunsWithOutputs) against one query per run (Runs,
// then Tasks of each).
func BenchmarkRunsListing(b *testing.B) {
	c := OpenTemp(b)
	fillRuns(b, c, 10000)
	ctx := context.Background()
	b.Run("RunsWithOutputs", func(b *testing.B) {
		for b.Loop() {
			if rs, err := c.RunsWithOutputs(ctx, 50); err != nil || len(rs) != 50 {
				b.Fatal(len(rs), err)
			}
		}
	})
	b.Run("RunsThenTasks", func(b *testing.B) {
		for b.Loop() {
			rs, err := c.Runs(ctx, 50)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rs {
				if _, err := c.Tasks(ctx, r.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
