package reproduce

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// MissingError lists the objects a reproduction needs that the store does
// not hold, each with what it is ("code tree", "input train.raw (data/x.csv)").
type MissingError struct {
	Objects []Missing
}

// Missing is one object absent from the store.
type Missing struct {
	What   string      `json:"what"`
	Digest core.Digest `json:"digest"`
}

// Error names every missing object and says where to get it.
func (e *MissingError) Error() string {
	parts := make([]string, len(e.Objects))
	for i, m := range e.Objects {
		parts[i] = m.What + " " + m.Digest.String()
	}
	return fmt.Sprintf("the store lacks %d object(s) the run needs: %s; copy them from the store the run was made in",
		len(e.Objects), strings.Join(parts, ", "))
}

// Is makes errors.Is(err, store.ErrNotFound) true for a MissingError.
func (e *MissingError) Is(target error) bool { return target == store.ErrNotFound }

// Restore recreates in dest (which must not exist) the folder the run was
// made from: its code tree and every project-path input its tasks read, at
// its path, even when the code snapshot left it out. It returns the path
// the flow file has inside dest (see Flow for its bytes). Objects the store lacks
// are reported together in a *MissingError before anything is written.
func Restore(ctx context.Context, st *store.Store, r *Run, dest string) (string, error) {
	rec := r.Record
	inputs := pathInputs(r)
	if err := checkObjects(st, r, inputs); err != nil {
		return "", err
	}
	if err := st.Materialize(ctx, rec.Code, dest, store.MaterializeOptions{}); err != nil {
		return "", fmt.Errorf("restore code tree %s: %w", rec.Code, err)
	}
	// The flow file comes back with the code tree when it was part of it;
	// one that was not (read from stdin, printed by a Python flow file)
	// stays out of the folder, so the snapshot taken of it is the
	// original's. Either way the flow is read from the store.
	flowPath := filepath.Join(dest, filepath.Base(rec.FlowPath))
	for _, p := range sortedKeys(inputs) {
		a := inputs[p]
		target := filepath.Join(dest, filepath.FromSlash(p))
		var err error
		if a.Kind == core.KindTree {
			err = mergeTree(ctx, st, a.Digest, target)
		} else {
			err = placeFile(ctx, st, a.Digest, target)
		}
		if err != nil {
			return "", fmt.Errorf("restore input %s: %w", p, err)
		}
	}
	return flowPath, nil
}

// pathInputs maps each project path the run's tasks read to its artifact.
func pathInputs(r *Run) map[string]core.Artifact {
	out := map[string]core.Artifact{}
	for _, t := range r.Tasks {
		for _, a := range t.Inputs {
			if p, ok := strings.CutPrefix(a.Source, "path:"); ok && core.ValidRelPath(p) == nil {
				out[p] = a
			}
		}
	}
	return out
}

// checkObjects names every object Restore would need that is missing.
func checkObjects(st *store.Store, r *Run, inputs map[string]core.Artifact) error {
	var miss []Missing
	need := func(what string, d core.Digest) bool {
		if !st.Has(d) {
			miss = append(miss, Missing{What: what, Digest: d})
			return false
		}
		return true
	}
	needTree := func(what string, d core.Digest) {
		if !need(what, d) {
			return
		}
		tree, err := st.GetTree(d)
		if err != nil {
			miss = append(miss, Missing{What: what + " (unreadable: " + err.Error() + ")", Digest: d})
			return
		}
		for _, e := range tree.Entries {
			if e.Kind == core.KindFile {
				need(what+" file "+e.Path, e.Digest)
			}
		}
	}
	needTree("code tree", r.Record.Code)
	need("flow file "+r.Record.FlowPath, r.Record.FlowFile)
	for _, p := range sortedKeys(inputs) {
		if a := inputs[p]; a.Kind == core.KindTree {
			needTree("input "+p, a.Digest)
		} else {
			need("input "+p, a.Digest)
		}
	}
	if len(miss) > 0 {
		sort.SliceStable(miss, func(i, j int) bool { return miss[i].What < miss[j].What })
		return &MissingError{Objects: miss}
	}
	return nil
}

// placeFile puts object d at target unless the code tree put it there
// already.
func placeFile(ctx context.Context, st *store.Store, d core.Digest, target string) error {
	if _, err := os.Lstat(target); err == nil {
		return nil
	}
	return st.MaterializeFile(ctx, d, target, store.MaterializeOptions{})
}

// mergeTree recreates tree d at target, adding the entries a partly
// restored directory lacks.
func mergeTree(ctx context.Context, st *store.Store, d core.Digest, target string) error {
	if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
		return st.Materialize(ctx, d, target, store.MaterializeOptions{})
	}
	tree, err := st.GetTree(d)
	if err != nil {
		return err
	}
	for _, e := range tree.Entries {
		p := filepath.Join(target, filepath.FromSlash(e.Path))
		if _, err := os.Lstat(p); err == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		switch e.Kind {
		case core.KindFile:
			err = st.MaterializeFile(ctx, e.Digest, p, store.MaterializeOptions{Copy: e.Mode&0o111 != 0})
			if err == nil && e.Mode&0o111 != 0 {
				err = os.Chmod(p, 0o555)
			}
		case core.KindSymlink:
			err = os.Symlink(filepath.FromSlash(path.Clean(e.Target)), p)
		case core.KindDir:
			err = os.MkdirAll(p, 0o755)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
