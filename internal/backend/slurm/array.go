package slurm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"lockstep.dev/lockstep/internal/backend"
)

// arrays gathers the tasks that arrive within one window and share a shape
// (their resources and placement options) into one job array, so a sweep
// of a hundred items is one submission, not a hundred. A window of 0
// submits each task alone (an array of one).
type arrays struct {
	window time.Duration
	mu     sync.Mutex
	open   map[string]*array // gathering, by shape
}

// array is one job array: gathering tasks until its window closes, then
// submitted.
type array struct {
	tasks     []backend.Task
	dir       string
	submitted chan struct{} // closed once sbatch answered
	id        string
	err       error
	users     int // Execs still following an element
}

// element is one task's place in a submitted array.
type element struct {
	id       string // ARRAYID_INDEX, as scontrol and scancel take it
	out, err string // its output files
	release  func()
}

// enqueue adds t to the gathering array of its shape (opening one, and
// its window, when there is none), waits until that array is submitted
// and returns t's element.
func (a *arrays) enqueue(ctx context.Context, b *Backend, t backend.Task) (element, error) {
	key := strings.Join(b.shape(t), "\x00")
	a.mu.Lock()
	if a.open == nil {
		a.open = map[string]*array{}
	}
	arr := a.open[key]
	if arr == nil {
		dir, err := os.MkdirTemp(b.jobsDir(), "job-")
		if err != nil {
			a.mu.Unlock()
			return element{}, fmt.Errorf("slurm: job folder: %w", err)
		}
		arr = &array{dir: dir, submitted: make(chan struct{})}
		a.open[key] = arr
		time.AfterFunc(a.window, func() { a.submit(ctx, b, key, arr) })
	}
	idx := len(arr.tasks)
	arr.tasks = append(arr.tasks, t)
	arr.users++
	a.mu.Unlock()

	release := func() {
		a.mu.Lock()
		arr.users--
		last := arr.users == 0
		a.mu.Unlock()
		if last {
			os.RemoveAll(arr.dir)
		}
	}
	<-arr.submitted
	if arr.err != nil {
		release()
		return element{}, arr.err
	}
	return element{id: fmt.Sprintf("%s_%d", arr.id, idx), out: filepath.Join(arr.dir, fmt.Sprintf("%d.out", idx)),
		err: filepath.Join(arr.dir, fmt.Sprintf("%d.err", idx)), release: release}, nil
}

// submit closes arr's window and submits it. The submission does not
// follow the context of the task that opened the array: the others still
// need it.
func (a *arrays) submit(ctx context.Context, b *Backend, key string, arr *array) {
	a.mu.Lock()
	delete(a.open, key)
	tasks := arr.tasks
	a.mu.Unlock()
	arr.id, arr.err = b.submit(context.WithoutCancel(ctx), tasks, arr.dir)
	close(arr.submitted)
}
