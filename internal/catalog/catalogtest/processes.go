package catalogtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
)

// writerEnv, when set to "URL PREFIX", makes a test binary act as a
// separate lockstep process writing runs PREFIX-000... to the catalog at
// URL (see ActAsWriter).
const writerEnv = "LOCKSTEP_CATALOG_TEST_WRITER"

// ActAsWriter, called from TestMain once the implementation is
// registered, turns this test binary into a writer process when
// ConcurrentProcesses started it: it writes its runs and exits. Otherwise
// it returns at once.
func ActAsWriter() {
	spec := os.Getenv(writerEnv)
	if spec == "" {
		return
	}
	var url, prefix string
	if _, err := fmt.Sscan(spec, &url, &prefix); err != nil {
		fmt.Fprintln(os.Stderr, "bad", writerEnv, err)
		os.Exit(2)
	}
	ctx := context.Background()
	c, err := catalog.OpenURL(ctx, url)
	if err == nil {
		err = WriteRuns(ctx, c, prefix)
		c.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// ConcurrentProcesses has procs separate processes (this test binary,
// through ActAsWriter) and goroutines goroutines of this one open the
// catalog at url at the same moment and write runs and tasks at once, as
// lockstep runs on several hosts do: every write must succeed and every
// run must be there, whole. (The contract's concurrent writers share one
// process; locks between processes, or a server's sessions, are exercised
// only by separate processes.)
func ConcurrentProcesses(t *testing.T, url string, procs, goroutines int) {
	if testing.Short() {
		t.Skip("writes thousands of transactions")
	}
	ctx := context.Background()
	var prefixes []string
	var cmds []*exec.Cmd
	var stderrs []*bytes.Buffer
	for i := range procs {
		prefix := fmt.Sprintf("proc%d", i)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), writerEnv+"="+url+" "+prefix)
		stderr := &bytes.Buffer{}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, prefixes = append(cmds, cmd), append(prefixes, prefix)
		stderrs = append(stderrs, stderr)
	}
	c, err := catalog.OpenURL(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	for g := range errs {
		prefix := fmt.Sprintf("goroutine%d", g)
		prefixes = append(prefixes, prefix)
		wg.Go(func() { errs[g] = WriteRuns(ctx, c, prefix) })
	}
	wg.Wait()
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer process %d: %v: %s", i, err, stderrs[i])
		}
	}
	for g, err := range errs {
		if err != nil {
			t.Errorf("writer goroutine %d: %v", g, err)
		}
	}
	CheckWritten(t, c, prefixes)
}
