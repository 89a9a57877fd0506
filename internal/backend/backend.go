package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// Task is what the engine asks a backend to run: a stored core.TaskSpec,
// named by its digest, with the step it belongs to and what it asks of
// the machine (copied from the spec, so a backend can place or refuse the
// task without reading the store).
type Task struct {
	Spec      core.Digest
	Step      string
	Resources core.Resources
	// Network is the spec's network flag: false asks the backend to deny
	// the task network access where it can (a Kubernetes NetworkPolicy);
	// the executor's sandbox enforces it regardless.
	Network bool
}

// Backend runs tasks somewhere: a local process, a Slurm job, a
// Kubernetes Job. Exec runs `lockstep task exec SPEC` where the task is to
// run, streams the step's stdout and stderr to the writers as they come,
// and returns the digest of the task record the executor wrote to the
// store, read from the executor's report (see the package doc). An error
// means no record was written: the executor could not start or write one,
// the request was refused (ErrRefused), or ctx was cancelled and the task
// stopped. A step that failed is a record with status failed and a nil
// error.
//
// Exec is called from several goroutines at once, up to Info().Slots at a
// time by default; it must stop the task and return promptly when ctx is
// cancelled. It never retries: the engine decides that.
type Backend interface {
	Exec(ctx context.Context, t Task, stdout, stderr io.Writer) (core.Digest, error)
	Info() Info
}

// Info describes a backend to the engine.
type Info struct {
	// Name is the backend's registry name ("local").
	Name string
	// Slots is how many tasks it runs at once when the user does not say
	// (-j): the cores of this machine for local, a configured cap for a
	// scheduler.
	Slots int
	// SameHost is true when tasks run on the submitting machine, so the
	// submitter may refuse early what the executor would refuse (a
	// required sandbox this host lacks). The executor checks regardless.
	SameHost bool
}

// Config is what a backend is opened with: how an executor reaches the
// lockstep binary, the store and the catalog.
type Config struct {
	// Exe is the lockstep binary the executor runs (os.Executable for
	// local; a path on the cluster's nodes or an image for a scheduler).
	Exe string
	// Store and Catalog are the URLs the executor opens (file:///…,
	// sqlite:///…): the executor finds everything through them.
	Store   string
	Catalog string
	// Work is the folder task work folders are made in on the executing
	// host; "" lets the executor choose.
	Work string
	// Environ is the environment the executor starts with; the step sees
	// only its allowlisted part.
	Environ []string
	// Settings are the backend's own settings, from its section of the
	// home's config.yaml (backends: NAME: {key: value}); a backend refuses
	// keys it does not know.
	Settings map[string]string
	// InProcess, when set, runs the executor's work (what `lockstep task
	// exec` does) in this process, with the submitter's open store and
	// catalog. A backend whose tasks run on this machine may use it
	// instead of starting a process per task; remote backends ignore it.
	InProcess Runner
}

// Runner runs the task whose spec is stored under spec as `lockstep task
// exec` would, with the step's output streamed to stdout and stderr, and
// returns the digest of the task record it wrote.
type Runner func(ctx context.Context, spec core.Digest, stdout, stderr io.Writer) (core.Digest, error)

// ErrRefused is wrapped by the error a backend returns for a task it
// cannot run as asked (more CPUs, memory or GPUs than it has).
var ErrRefused = errors.New("resource request refused")

// Capacity is the most one task may ask of a backend.
type Capacity struct {
	CPUs        float64
	MemoryBytes int64
	GPUs        int
	// GPUTypes are the GPU models it has; empty when it cannot tell.
	GPUTypes []string
}

// Check refuses, with an error wrapping ErrRefused that names the step,
// the resource and what the backend has, a request the capacity cannot
// meet. A zero field of the request asks for nothing.
func (c Capacity) Check(backend string, t Task) error {
	r := t.Resources
	refuse := func(format string, args ...any) error {
		return fmt.Errorf("step %s: %w by backend %s: %s; lower the step's resources or run it --on a backend that has them",
			t.Step, ErrRefused, backend, fmt.Sprintf(format, args...))
	}
	switch {
	case r.CPUs > c.CPUs:
		return refuse("it asks for %g cpus, this backend has %g", r.CPUs, c.CPUs)
	case r.MemoryBytes > c.MemoryBytes:
		return refuse("it asks for %d bytes of memory, this backend has %d", r.MemoryBytes, c.MemoryBytes)
	case r.GPUs > c.GPUs:
		return refuse("it asks for %d gpus, this backend has %d", r.GPUs, c.GPUs)
	case r.GPUs > 0 && r.GPUType != "" && !hasGPUType(c.GPUTypes, r.GPUType):
		return refuse("it asks for %s gpus, this backend has %s", r.GPUType, strings.Join(c.GPUTypes, ", "))
	}
	return nil
}

func hasGPUType(types []string, want string) bool {
	for _, t := range types {
		if strings.Contains(strings.ToLower(t), strings.ToLower(want)) {
			return true
		}
	}
	return false
}
