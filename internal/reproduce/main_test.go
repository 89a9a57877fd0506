package reproduce

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"lockstep.dev/lockstep/internal/backend/backendtest"
	"lockstep.dev/lockstep/internal/backend/local"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/home"
)

// lockstepBin is the lockstep binary the local backend runs as `lockstep
// task exec`: $LOCKSTEP_BIN, else one built for this test run.
var lockstepBin string

func TestMain(m *testing.M) { backendtest.Main(m, &lockstepBin) }

// project is a flow in a temporary folder with its own lockstep home.
type project struct {
	t       *testing.T
	dir     string
	home    *engine.Home
	environ []string
}

// newProject writes files (lockstep.yaml among them) into a new folder and
// opens a home in it.
func newProject(t *testing.T, files map[string]string) *project {
	t.Helper()
	dir := t.TempDir()
	p := &project{t: t, dir: dir}
	p.write(files)
	h, err := engine.Open(context.Background(), filepath.Join(dir, home.Dir), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	p.home = h
	p.environ = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "LANG=C.UTF-8"}
	return p
}

func (p *project) write(files map[string]string) {
	p.t.Helper()
	for name, body := range files {
		f := filepath.Join(p.dir, name)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			p.t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
}

// engineOptions runs steps with the local backend and keeps their logs for
// failure messages.
func (p *project) engineOptions(logs *bytes.Buffer) engine.Options {
	var w io.Writer = io.Discard
	if logs != nil {
		w = &lockedWriter{w: logs}
	}
	b, err := local.Open(p.home.BackendConfig(local.Name, lockstepBin, p.environ))
	if err != nil {
		p.t.Fatal(err)
	}
	return engine.Options{
		Backend: b, Jobs: 1,
		Logs: func(string) (stdout, stderr io.Writer) { return w, w },
	}
}

// run runs the flow and returns the finished run; it fails the test unless
// the run succeeded.
func (p *project) run(opts engine.Options) *Run {
	p.t.Helper()
	var logs bytes.Buffer
	base := p.engineOptions(&logs)
	base.Params, base.Seed, base.Signer, base.Steps = opts.Params, opts.Seed, opts.Signer, opts.Steps
	fl, err := flow.Load(filepath.Join(p.dir, "lockstep.yaml"))
	if err != nil {
		p.t.Fatal(err)
	}
	code, err := p.home.Snapshot(context.Background(), fl, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	rec, err := p.home.Run(context.Background(), fl, code, base)
	if err != nil {
		p.t.Fatalf("run: %v\n%s", err, logs.String())
	}
	if rec.Status != "succeeded" {
		p.t.Fatalf("run %s: %s: %s\n%s", rec.ID, rec.Status, rec.Error, logs.String())
	}
	r, err := LoadRun(context.Background(), p.home.Store, p.home.Catalog, rec.ID)
	if err != nil {
		p.t.Fatal(err)
	}
	return r
}

// reproduce re-runs orig and returns the result.
func (p *project) reproduce(orig *Run, opts Options) *Result {
	p.t.Helper()
	var logs bytes.Buffer
	opts.Engine = p.engineOptions(&logs)
	res, err := Reproduce(context.Background(), p.home, orig, opts)
	if err != nil {
		p.t.Fatalf("reproduce %s: %v\n%s", orig.Record.ID, err, logs.String())
	}
	return res
}

// cli runs the lockstep binary in the project and returns its exit code
// and output (stdout, then stderr).
func (p *project) cli(args ...string) (int, string) {
	p.t.Helper()
	code, stdout, stderr := p.exec(args...)
	return code, stdout + stderr
}

// exec runs the lockstep binary and keeps stdout and stderr apart.
func (p *project) exec(args ...string) (int, string, string) {
	p.t.Helper()
	cmd := exec.Command(lockstepBin, append([]string{"--home", p.home.Root}, args...)...)
	cmd.Dir = p.dir
	cmd.Env = append(p.environ, "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		p.t.Fatalf("lockstep %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// needPython skips the test unless Debian's python3 can import modules.
func needPython(t *testing.T, modules ...string) {
	t.Helper()
	args := []string{"-c", "import " + strings.Join(append([]string{"sys"}, modules...), ", ")}
	if out, err := exec.Command("/usr/bin/python3", args...).CombinedOutput(); err != nil {
		t.Skipf("needs /usr/bin/python3 with %s (Debian: python3-sklearn, python3-torch): %v %s", strings.Join(modules, ", "), err, out)
	}
}

// task returns the result for step, failing the test if there is none.
func task(t *testing.T, rep *Report, step string) TaskResult {
	t.Helper()
	for _, r := range rep.Tasks {
		if r.Step == step {
			return r
		}
	}
	t.Fatalf("report has no task %s: %+v", step, rep.Tasks)
	return TaskResult{}
}

// explained joins the report's explanation into one text.
func explained(rep *Report) string { return strings.Join(rep.Explain(), "\n") }

// lockedWriter serialises writes from a step's stdout and stderr.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
