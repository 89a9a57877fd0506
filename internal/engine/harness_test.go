package engine

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/task"
)

// inProcess is a backend that runs the executor (task.Exec) in this
// process, as `lockstep task exec` would where the task runs, with an
// environment of its own, and counts what it is asked to do.
type inProcess struct {
	h       *Home
	environ []string
	slots   int
	// gate, when set, holds each task until that many run at once (or a
	// second passed), so a test sees the most the engine lets run.
	gate int
	// refuse fails these steps as a backend refusing them would.
	refuse map[string]error
	// report, if set, replaces the digest a task's Exec reports.
	report func(step string, rec core.Digest) core.Digest

	mu            sync.Mutex
	running, peak int
	execs         map[string]int // step -> times its executor ran
}

func (b *inProcess) Info() backend.Info {
	return backend.Info{Name: "in-process", Slots: b.slots}
}

func (b *inProcess) Exec(ctx context.Context, t backend.Task, stdout, stderr io.Writer) (core.Digest, error) {
	if err := b.refuse[t.Step]; err != nil {
		return "", err
	}
	b.mu.Lock()
	b.running++
	b.peak = max(b.peak, b.running)
	if b.execs == nil {
		b.execs = map[string]int{}
	}
	b.execs[t.Step]++
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.running--
		b.mu.Unlock()
	}()
	for end := time.Now().Add(time.Second); b.gate > 0 && time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		b.mu.Lock()
		full := b.running >= b.gate
		b.mu.Unlock()
		if full {
			break
		}
	}
	_, d, err := task.Exec(ctx, b.h.Store, t.Spec, task.ExecOptions{
		Stdout: stdout, Stderr: stderr, Environ: b.environ, WorkDir: filepath.Join(b.h.Root, "work"), Cache: b.h.Catalog,
	})
	if err == nil && b.report != nil {
		d = b.report(t.Step, d)
	}
	return d, err
}

func (b *inProcess) execCount(step string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.execs[step]
}

// project is a flow in a temporary folder with its own home, run through
// an in-process backend.
type project struct {
	t   *testing.T
	dir string
	h   *Home
	b   *inProcess
}

func newProject(t *testing.T, yaml string, files map[string]string) *project {
	t.Helper()
	dir := t.TempDir()
	files["lockstep.yaml"] = yaml
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := Open(context.Background(), filepath.Join(dir, home.Dir), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	b := &inProcess{h: h, environ: []string{"PATH=" + os.Getenv("PATH")}, slots: 2}
	return &project{t: t, dir: dir, h: h, b: b}
}

// write replaces a file of the project.
func (p *project) write(name, body string) {
	if err := os.WriteFile(filepath.Join(p.dir, name), []byte(body), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// run snapshots the project and runs its flow with opts (the project's
// backend unless opts names one).
func (p *project) run(ctx context.Context, opts Options) (*core.RunRecord, error) {
	p.t.Helper()
	fl, err := flow.Load(filepath.Join(p.dir, "lockstep.yaml"))
	if err != nil {
		p.t.Fatal(err)
	}
	code, err := p.h.Snapshot(ctx, fl, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	if opts.Backend == nil {
		opts.Backend = p.b
	}
	return p.h.Run(ctx, fl, code, opts)
}

// mustRun runs and fails the test if the run could not be recorded.
func (p *project) mustRun(opts Options) *core.RunRecord {
	p.t.Helper()
	rec, err := p.run(context.Background(), opts)
	if err != nil {
		p.t.Fatalf("run: %v", err)
	}
	return rec
}

// task reads the record of step in run rec.
func (p *project) task(rec *core.RunRecord, step string) *core.TaskRecord {
	p.t.Helper()
	d, ok := rec.Tasks[step]
	if !ok {
		p.t.Fatalf("run %s recorded no task for %s", rec.ID, step)
	}
	var t core.TaskRecord
	if err := p.h.Store.GetJSON(d, &t); err != nil {
		p.t.Fatal(err)
	}
	return &t
}
