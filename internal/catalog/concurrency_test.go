package catalog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// writerEnv, when set to "PATH PREFIX", makes the test binary act as a
// separate lockstep process writing runs PREFIX-0... to the catalog at PATH.
const writerEnv = "LOCKSTEP_CATALOG_TEST_WRITER"

// runsPerWriter is how many runs (each with two tasks) one writer adds.
const runsPerWriter = 150

func TestMain(m *testing.M) {
	if spec := os.Getenv(writerEnv); spec != "" {
		var path, prefix string
		if _, err := fmt.Sscan(spec, &path, &prefix); err != nil {
			fmt.Fprintln(os.Stderr, "bad", writerEnv, err)
			os.Exit(2)
		}
		if err := openAndWrite(path, prefix); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// openAndWrite opens the catalog at path and writes runsPerWriter runs.
func openAndWrite(path, prefix string) error {
	ctx := context.Background()
	c, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer c.Close()
	return writeRuns(ctx, c, prefix)
}

// writeRuns does what a lockstep run does to the catalog, runsPerWriter
// times: begin the run, put two tasks, finish it.
func writeRuns(ctx context.Context, c *Catalog, prefix string) error {
	for i := range runsPerWriter {
		id := fmt.Sprintf("%s-%03d", prefix, i)
		if err := c.BeginRun(ctx, RunRow{ID: id, Flow: "housing", Started: at(i), Host: "h", PID: os.Getpid()}); err != nil {
			return err
		}
		for j, step := range []string{"prepare", "train"} {
			rec := taskRecord(id, step, i+j, core.StatusSucceeded, dg(id+step), "out")
			if err := c.PutTask(ctx, rec, dg(id+"/"+step)); err != nil {
				return err
			}
		}
		if err := c.FinishRun(ctx, runRecord(id, i, core.StatusSucceeded), dg(id)); err != nil {
			return err
		}
	}
	return nil
}

// TestConcurrentWriters has three separate processes and four goroutines
// open one fresh catalog at the same moment and write runs and tasks at
// once: every write must succeed and every row must be there.
func TestConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("writes thousands of transactions")
	}
	path := t.TempDir() + "/catalog.db"
	ctx := context.Background()
	var prefixes []string
	var procs []*exec.Cmd
	var stderrs []*bytes.Buffer
	for i := range 3 {
		prefix := fmt.Sprintf("proc%d", i)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), writerEnv+"="+path+" "+prefix)
		stderr := &bytes.Buffer{}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs, prefixes = append(procs, cmd), append(prefixes, prefix)
		stderrs = append(stderrs, stderr)
	}
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for g := range errs {
		prefix := fmt.Sprintf("goroutine%d", g)
		prefixes = append(prefixes, prefix)
		wg.Go(func() { errs[g] = writeRuns(ctx, c, prefix) })
	}
	wg.Wait()
	for i, cmd := range procs {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer process %d: %v: %s", i, err, stderrs[i])
		}
	}
	for g, err := range errs {
		if err != nil {
			t.Errorf("writer goroutine %d: %v", g, err)
		}
	}
	runs, err := c.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(prefixes) * runsPerWriter; len(runs) != want {
		t.Errorf("%d runs in the catalog, want %d", len(runs), want)
	}
	for _, prefix := range prefixes {
		id := fmt.Sprintf("%s-%03d", prefix, runsPerWriter-1)
		tasks, err := c.Tasks(ctx, id)
		if err != nil || len(tasks) != 2 {
			t.Errorf("tasks of %s: %d, %v; want 2", id, len(tasks), err)
		}
		if r, err := c.Run(ctx, id); err != nil || r.Status != core.StatusSucceeded {
			t.Errorf("run %s: %+v, %v; want succeeded", id, r, err)
		}
	}
}
