package task

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sandbox"
	"lockstep.dev/lockstep/internal/store"
)

// workDirs is the private folder of one task execution.
type workDirs struct {
	root    string // WORK/RUN/STEP-xxxx
	inputs  string // materialised inputs
	out     string // $LOCKSTEP_OUTPUT_DIR
	tmp     string // private tmp
	home    string // private HOME
	metrics string // $LOCKSTEP_METRICS
	stdout  string // captured logs
	stderr  string
}

// newWorkDirs creates the folders of a task under work, the folder the
// caller keeps task work in.
func newWorkDirs(work, run, step string) (workDirs, error) {
	if work == "" {
		return workDirs{}, errors.New("create work folder: no work folder given (ExecOptions.WorkDir)")
	}
	parent := filepath.Join(work, run)
	var root string
	for try := 0; ; try++ {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return workDirs{}, fmt.Errorf("create work folder: %w", err)
		}
		var err error
		root, err = os.MkdirTemp(parent, step+"-")
		if err == nil {
			break
		}
		// Another task of the run may have removed the empty run folder
		// in between: make it again.
		if !errors.Is(err, os.ErrNotExist) || try == 3 {
			return workDirs{}, fmt.Errorf("create work folder: %w", err)
		}
	}
	d := workDirs{
		root:    root,
		inputs:  filepath.Join(root, "inputs"),
		out:     filepath.Join(root, "out"),
		tmp:     filepath.Join(root, "tmp"),
		home:    filepath.Join(root, "home"),
		metrics: filepath.Join(root, "metrics", "metrics.json"),
		stdout:  filepath.Join(root, "stdout.log"),
		stderr:  filepath.Join(root, "stderr.log"),
	}
	// root is new and empty: each folder is one mkdir.
	for _, p := range []string{d.inputs, d.out, d.tmp, d.home, filepath.Dir(d.metrics)} {
		if err := os.Mkdir(p, 0o755); err != nil {
			return workDirs{}, fmt.Errorf("create work folder: %w", err)
		}
	}
	return d, nil
}

// remove deletes the task's folder; materialised inputs are read-only, so
// permissions are restored first.
func (d workDirs) remove() error {
	// Most tasks leave nothing read-only behind (or run as root): try
	// without walking the folder first.
	if err := os.RemoveAll(d.root); err != nil {
		_ = filepath.WalkDir(d.root, func(p string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				_ = os.Chmod(p, 0o755)
			}
			return nil
		})
		if err := os.RemoveAll(d.root); err != nil {
			return err
		}
	}
	// The run's folder goes with its last task; while others use it,
	// removing it fails, harmlessly.
	_ = os.Remove(filepath.Dir(d.root))
	return nil
}

// sharedTree materialises a tree once under WORK/trees/HEX and returns its
// path; concurrent tasks needing the same tree share it. Its files are
// hardlinks to objects, so it is only for steps that see it through a
// read-only mount. Such folders are immutable: they are only removed by gc.
func sharedTree(ctx context.Context, st *store.Store, work string, d core.Digest) (string, error) {
	dest := filepath.Join(work, "trees", d.Hex())
	if _, err := os.Stat(dest); err == nil {
		return dest, nil
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", fmt.Errorf("materialise %s: %w", d, err)
	}
	err := st.Materialize(ctx, d, dest, store.MaterializeOptions{})
	if err != nil {
		// Another task may have materialised it at the same moment.
		if _, statErr := os.Stat(dest); statErr == nil {
			return dest, nil
		}
		return "", fmt.Errorf("materialise %s: %w", d, err)
	}
	return dest, nil
}

// placement says how a task's inputs are materialised: hardlinks to the
// read-only objects when the step sees them through a read-only mount
// (the sandbox), else reflinks or copies, so that a step that writes to an
// input cannot reach the object behind it.
func placement(sandboxed bool) store.MaterializeOptions {
	return store.MaterializeOptions{Copy: !sandboxed}
}

// stepInputs are a task's inputs as materialised: where the step finds
// each (name → path) and, where that differs, where this host holds it.
type stepInputs struct {
	paths map[string]string // as the step sees them
	host  map[string]string // name → the host folder bound at paths[name], for folders the sandbox binds
	binds []sandbox.Bind    // the read-only binds that put them there
}

// onHost returns name → the path where this host holds each input.
func (in stepInputs) onHost() map[string]string {
	m := make(map[string]string, len(in.paths))
	for name, p := range in.paths {
		if h, ok := in.host[name]; ok {
			p = h
		}
		m[name] = p
	}
	return m
}

// materialiseInputs places every input read-only where the step will find
// it. A confined step's folder inputs are shared trees (see sharedTree)
// that the sandbox binds read-only at their places in the task folder: a
// 10,000-file dataset is linked once for every step and run that reads
// it, not once a task, and not removed after each.
func materialiseInputs(ctx context.Context, st *store.Store, s *core.TaskSpec, dirs workDirs, work string, sandboxed bool) (stepInputs, error) {
	in := stepInputs{paths: make(map[string]string, len(s.Inputs)), host: map[string]string{}}
	opts := placement(sandboxed)
	for name, a := range s.Inputs {
		p := inputPath(dirs, name, a)
		var err error
		switch {
		case a.Kind == core.KindTree && sandboxed:
			var shared string
			if shared, err = sharedTree(ctx, st, work, a.Digest); err == nil {
				err = os.MkdirAll(p, 0o755) // the mount point
				in.host[name] = shared
				in.binds = append(in.binds, sandbox.Bind{Src: shared, Dst: p})
			}
		case a.Kind == core.KindTree:
			err = st.Materialize(ctx, a.Digest, p, opts)
		default:
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = st.MaterializeFile(ctx, a.Digest, p, opts)
			}
		}
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return in, fmt.Errorf("input %s (%s) is missing from the store: %w", name, a.Digest, err)
			}
			return in, fmt.Errorf("input %s: %w", name, err)
		}
		in.paths[name] = p
	}
	return in, nil
}
