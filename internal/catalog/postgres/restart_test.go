package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
	"lockstep.dev/lockstep/internal/catalog/postgres/pgtest"
	"lockstep.dev/lockstep/internal/core"
)

// TestWritesOutlastARestart restarts the server twice while runs are
// being written: every write waits for the server and goes through, and
// every run is whole.
func TestWritesOutlastARestart(t *testing.T) {
	ctx := context.Background()
	url := pgtest.FreshURL(t)
	c := catalogtest.Open(t, url)
	stop := make(chan struct{})
	type outcome struct {
		prefixes []string
		err      error
	}
	done := make(chan outcome)
	go func() {
		var o outcome
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- o
				return
			default:
			}
			prefix := fmt.Sprintf("batch%d", i)
			o.prefixes = append(o.prefixes, prefix)
			if o.err = catalogtest.WriteRuns(ctx, c, prefix); o.err != nil {
				done <- o
				return
			}
		}
	}()
	for range 2 {
		time.Sleep(300 * time.Millisecond)
		if err := pgtest.Shared(t).Restart(); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	o := <-done
	if o.err != nil {
		t.Fatalf("a write across a restart: %v", o.err)
	}
	catalogtest.CheckWritten(t, c, o.prefixes)
}

// TestAServerDownTooLongIsOneClearLine stops the server for longer than a
// write waits: the write fails with one line naming the database, leaves
// nothing half-written, and the catalog works again once the server is
// back.
func TestAServerDownTooLongIsOneClearLine(t *testing.T) {
	ctx := context.Background()
	url := pgtest.FreshURL(t)
	c, err := open(ctx, url, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.BeginRun(ctx, catalog.RunRow{ID: "r1", Flow: "f", Started: catalogtest.At(0)}); err != nil {
		t.Fatal(err)
	}
	srv := pgtest.Shared(t)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	rec := catalogtest.TaskRecord("r1", "train", 0, core.StatusSucceeded, catalogtest.Digest("key"), "model", "metrics")
	err = c.PutTask(ctx, rec, catalogtest.Digest("task"))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "was unavailable") ||
		!strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("a write while the server is down: %v; want one line saying the database was unavailable", err)
	}
	t.Log(err)
	if tasks, err := c.Tasks(ctx, "r1"); err != nil || len(tasks) != 0 {
		t.Errorf("after the failed write: tasks %+v, %v; want none", tasks, err)
	}
	if err := c.PutTask(ctx, rec, catalogtest.Digest("task")); err != nil {
		t.Fatalf("a write once the server is back: %v", err)
	}
	if tasks, err := c.Tasks(ctx, "r1"); err != nil || len(tasks) != 1 || len(tasks[0].Outputs) != 2 {
		t.Errorf("after the write: tasks %+v, %v; want train with both outputs", tasks, err)
	}
}

func TestOpenUnreachableFailsAtOnce(t *testing.T) {
	start := time.Now()
	_, err := Open(context.Background(), "postgres://lockstep:secret@127.0.0.1:1/none?sslmode=disable")
	if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "PGPASSWORD") {
		t.Fatalf("err = %v, want one naming the database without its password and saying where credentials go", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("took %v to fail", d)
	}
	t.Log(err)
}
