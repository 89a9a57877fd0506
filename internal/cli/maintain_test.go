package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/query"
)

// lockstepProcess starts the test binary as lockstep in its own process.
func (p *project) lockstepProcess(args ...string) (*exec.Cmd, *core.Tail) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = p.dir
	cmd.Env = p.environ
	out := &core.Tail{}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd, out
}

// runAtOnce runs the project's flow from n lockstep processes at once and
// returns the runs listed after: n, all succeeded.
func runAtOnce(t *testing.T, p *project, n int) []query.RunListing {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]string, n)
	for i := range n {
		wg.Go(func() {
			cmd, out := p.lockstepProcess("run", "--no-cache")
			if err := cmd.Run(); err != nil {
				errs[i] = err.Error() + "\n" + out.String()
			}
		})
	}
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Errorf("run %d failed: %s", i, e)
		}
	}
	var runs []query.RunListing
	p.jsonOf(&runs, "runs")
	if len(runs) != n {
		t.Fatalf("%d runs listed, want %d", len(runs), n)
	}
	for _, r := range runs {
		if r.Status != core.StatusSucceeded {
			t.Errorf("run %s: %s %s", r.ID, r.Status, r.Error)
		}
	}
	return runs
}

func TestConcurrentRunsOnOneStoreAllSucceed(t *testing.T) {
	p := newProject(t, "flow: c\nsteps:\n  a:\n    run: echo $LOCKSTEP_SEED > $LOCKSTEP_OUTPUT_DIR/o.txt\n    outputs: {o: o.txt}\n  b:\n    run: cat $LOCKSTEP_INPUT_O\n    inputs: {o: a.o}\n", nil)
	p.mustRun(0, "init")
	runAtOnce(t, p, 4)
	p.mustRun(0, "check")
}

func TestKilledRunIsMarkedAbortedAndLeavesNoCorruption(t *testing.T) {
	p := newProject(t, "flow: k\nsteps:\n  slow:\n    run: echo started; sleep 60\n  fast:\n    run: head -c 3000000 /dev/zero > $LOCKSTEP_OUTPUT_DIR/z\n    outputs: {z: z}\n", nil)
	p.mustRun(0, "init")
	cmd, out := p.lockstepProcess("run", "-j", "2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "started") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the slow step never started:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	work := filepath.Join(p.dir, ".lockstep", "work")
	if left, _ := os.ReadDir(work); len(left) == 0 {
		t.Fatal("the killed run left no work folder: the test would prove nothing")
	}

	r := p.mustRun(0, "check")
	if !strings.Contains(r.stdout, "marked aborted") {
		t.Errorf("check did not mark the killed run aborted:\n%s", r.stdout)
	}
	if left, _ := os.ReadDir(work); len(left) != 0 || !strings.Contains(r.stdout, "work folders of runs that are not running") ||
		strings.Contains(r.stdout, "and 0 work folders") {
		t.Errorf("check left %d work folders of the dead run, or did not count them:\n%s", len(left), r.stdout)
	}
	if left, _ := filepath.Glob(filepath.Join(p.dir, ".lockstep", "tmp", "exec-*")); len(left) != 0 {
		t.Errorf("check left the dead run's temp files %v", left)
	}
	var runs []query.RunListing
	p.jsonOf(&runs, "runs")
	if len(runs) != 1 || runs[0].Status != core.StatusAborted {
		t.Fatalf("runs after kill: %+v", runs)
	}
	// The store still rebuilds into a catalog that knows the run.
	r = p.mustRun(0, "check", "--rebuild-catalog")
	p.jsonOf(&runs, "runs")
	if len(runs) != 1 || runs[0].Status != core.StatusAborted {
		t.Fatalf("runs after rebuild: %+v\n%s", runs, r.stderr)
	}
}

func TestCheckFindsCorruptionAndNamesTheRepair(t *testing.T) {
	p := newProject(t, "flow: x\nsteps:\n  a:\n    run: echo hello > $LOCKSTEP_OUTPUT_DIR/h.txt\n    outputs: {h: h.txt}\n", nil)
	p.mustRun(0, "run")
	p.mustRun(0, "check")
	d := core.DigestOf([]byte("hello\n"))
	p.corrupt(d, "jello\n")
	r := p.mustRun(1, "check")
	if !strings.Contains(r.stdout, "corrupt "+d.String()) || !strings.Contains(r.stdout, "repair:") {
		t.Errorf("check output does not name the corrupt object and its repair:\n%s", r.stdout)
	}
	if r := p.run("cat", d.String()); r.code == 0 {
		t.Errorf("cat of a corrupt object succeeded")
	}
}

func TestGCKeepsWhatKeptRunsReach(t *testing.T) {
	p := newProject(t, "flow: g\nparams: {v: 1}\nsteps:\n  a:\n    run: echo $LOCKSTEP_PARAM_V > $LOCKSTEP_OUTPUT_DIR/v.txt\n    outputs: {v: v.txt}\n", nil)
	p.mustRun(0, "run", "--param", "v=1")
	p.mustRun(0, "run", "--param", "v=2")
	old := core.DigestOf([]byte("1\n"))
	kept := core.DigestOf([]byte("2\n"))
	r := p.mustRun(0, "gc", "--keep-last", "1", "--dry-run")
	if !strings.Contains(r.stdout, "would remove run") {
		t.Errorf("dry run: %s", r.stdout)
	}
	if r := p.mustRun(0, "cat", old.String()); r.stdout != "1\n" {
		t.Fatalf("dry run removed an object")
	}
	p.mustRun(0, "gc", "--keep-last", "1")
	if r := p.run("cat", old.String()); r.code == 0 {
		t.Errorf("the dropped run's output survived gc")
	}
	if r := p.mustRun(0, "cat", kept.String()); r.stdout != "2\n" {
		t.Errorf("kept output: %q", r.stdout)
	}
	var runs []query.RunListing
	p.jsonOf(&runs, "runs")
	if len(runs) != 1 {
		t.Errorf("%d runs after gc --keep-last 1", len(runs))
	}
	p.mustRun(0, "check")
	p.mustRun(0, "show", "last")
}

// gc must not sweep the objects of a dataset being added: data add holds
// the store lock shared, as a run does, until the dataset is recorded.
func TestGCWaitsForDataAdd(t *testing.T) {
	p := newProject(t, "flow: d\nsteps:\n  a:\n    run: 'true'\n", nil)
	p.mustRun(0, "init")
	requested, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "8")
		io.WriteString(w, "x,y\n")
		w.(http.Flusher).Flush()
		close(requested)
		<-release
		io.WriteString(w, "1,2\n")
	}))
	defer srv.Close()

	add, addOut := p.lockstepProcess("data", "add", "slow@1", srv.URL+"/slow.csv")
	if err := add.Start(); err != nil {
		t.Fatal(err)
	}
	<-requested // data add is downloading, its lock held
	gc, gcOut := p.lockstepProcess("gc")
	if err := gc.Start(); err != nil {
		t.Fatal(err)
	}
	gcDone := make(chan error, 1)
	go func() { gcDone <- gc.Wait() }()
	// gc either says it waits (right) or finishes while data add still
	// downloads (wrong); only then is the download let go.
	var gcErr error
	finished := false
	for !finished && !strings.Contains(gcOut.String(), "waiting for the runs in progress") {
		select {
		case gcErr = <-gcDone:
			finished = true
		case <-time.After(10 * time.Millisecond):
		}
	}
	close(release)
	if err := add.Wait(); err != nil {
		t.Fatalf("data add: %v\n%s", err, addOut)
	}
	if finished {
		t.Fatalf("gc ran while data add was writing (err %v):\n%s", gcErr, gcOut)
	}
	if err := <-gcDone; err != nil {
		t.Fatalf("gc: %v\n%s", err, gcOut)
	}
	p.mustRun(0, "check")
	if r := p.mustRun(0, "data", "list"); !strings.Contains(r.stdout, "slow@1") {
		t.Fatalf("dataset missing after gc:\n%s", r.stdout)
	}
}

func TestRunIDIsRecordedBeforeItIsShown(t *testing.T) {
	files := map[string]string{}
	for i := range 3000 { // a snapshot that takes a while
		files[fmt.Sprintf("src/f%04d.txt", i)] = strings.Repeat(fmt.Sprint(i), 300)
	}
	p := newProject(t, "flow: k\nsteps:\n  slow:\n    run: sleep 60\n", files)
	p.mustRun(0, "init")
	cmd, out := p.lockstepProcess("run")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	shown := regexp.MustCompile(`run ([0-9a-f]{12}) of flow`)
	deadline := time.Now().Add(60 * time.Second)
	var id string
	for id == "" {
		if m := shown.FindStringSubmatch(out.String()); m != nil {
			id = m[1]
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no run id shown:\n%s", out.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL) // as soon as the id is on the screen
	cmd.Wait()
	var runs []query.RunListing
	p.jsonOf(&runs, "runs")
	if len(runs) != 1 || runs[0].ID != id {
		t.Fatalf("run %s was shown, but the catalog lists %+v", id, runs)
	}
}

func TestCheckRepairOfADatasetObjectIsToAddItAgain(t *testing.T) {
	p := newProject(t, "flow: x\nsteps:\n  a: {run: 'true'}\n", map[string]string{"numbers.csv": "a,b\n1,2\n"})
	p.mustRun(0, "init")
	p.mustRun(0, "data", "add", "numbers@1", "numbers.csv")
	d := core.DigestOf([]byte("a,b\n1,2\n"))
	obj := p.corrupt(d, "a,b\n6,6\n")
	r := p.mustRun(1, "check")
	if !strings.Contains(r.stdout, "lockstep data add numbers@1") || strings.Contains(r.stdout, "lockstep run") {
		t.Errorf("the repair of a dataset's object:\n%s", r.stdout)
	}
	// The repair works as written.
	os.Remove(obj)
	p.mustRun(0, "data", "add", "numbers@1", "numbers.csv")
	p.mustRun(0, "check")
}

// corrupt overwrites the stored object d with other bytes, and returns the
// object's file.
func (p *project) corrupt(d core.Digest, bytes string) string {
	p.t.Helper()
	obj := filepath.Join(p.dir, ".lockstep", "objects", "sha256", d.Hex()[:2], d.Hex()[2:])
	os.Chmod(obj, 0o644)
	if err := os.WriteFile(obj, []byte(bytes), 0o444); err != nil {
		p.t.Fatal(err)
	}
	return obj
}

// TestEveryReadOfACorruptObjectFailsNamingIt corrupts stored bytes on disk
// (same length, other content, as bit rot would): each path that reads
// them refuses, naming the digest, instead of handing them on.
func TestEveryReadOfACorruptObjectFailsNamingIt(t *testing.T) {
	flow := `flow: c
steps:
  make:
    run: printf 'good bytes\n' > $LOCKSTEP_OUTPUT_DIR/o.txt
    outputs: {o: o.txt}
  use:
    run: cat $LOCKSTEP_INPUT_O
    inputs: {o: make.o}
`
	p := newProject(t, flow, map[string]string{"numbers.csv": "a,b\n1,2\n"})
	p.mustRun(0, "init")
	p.mustRun(0, "run")
	p.mustRun(0, "data", "add", "numbers@1", "numbers.csv")
	out := core.DigestOf([]byte("good bytes\n"))
	data := core.DigestOf([]byte("a,b\n1,2\n"))
	p.corrupt(out, "evil bytes\n")
	p.corrupt(data, "a,b\n6,6\n")
	for _, c := range []struct {
		what string
		args []string
		d    core.Digest
	}{
		{"cat", []string{"cat", out.String()}, out},
		{"get", []string{"get", "last", "make.o", filepath.Join(t.TempDir(), "o.txt")}, out},
		{"a task's input", []string{"run", "--force", "use"}, out},
		{"data get", []string{"data", "get", "numbers@1", filepath.Join(t.TempDir(), "n")}, data},
	} {
		r := p.run(c.args...)
		if r.code == 0 || !strings.Contains(r.stdout+r.stderr, c.d.Hex()[:12]) {
			t.Errorf("%s of a corrupt object: exit %d, want a failure naming %s\n%s%s", c.what, r.code, c.d, r.stdout, r.stderr)
		}
	}
}
