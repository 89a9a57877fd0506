package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
)

// writerEnv, when set to "PATH PREFIX", makes the test binary act as a
// separate lockstep process writing runs PREFIX-0... to the catalog at PATH.
const writerEnv = "LOCKSTEP_CATALOG_TEST_WRITER"

func TestMain(m *testing.M) {
	catalog.Register(Scheme, OpenURL)
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

// openAndWrite opens the catalog at path and writes
// catalogtest.RunsPerWriter runs.
func openAndWrite(path, prefix string) error {
	ctx := context.Background()
	c, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer c.Close()
	return catalogtest.WriteRuns(ctx, c, prefix)
}

// TestConcurrentProcesses has three separate processes and four goroutines
// open one fresh catalog file at the same moment and write runs and tasks
// at once: every write must succeed and every row must be there. (The
// contract's concurrent writers share one process; SQLite's locks between
// processes are file locks, which only separate processes exercise.)
func TestConcurrentProcesses(t *testing.T) {
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
		wg.Go(func() { errs[g] = catalogtest.WriteRuns(ctx, c, prefix) })
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
	catalogtest.CheckWritten(t, c, prefixes)
}
