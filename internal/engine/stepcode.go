package engine

import (
	"fmt"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// stepCode is the code tree a step sees and its cache key names: the run's
// snapshot, narrowed by the step's own code: patterns when it has them, so a
// change to a file the step cannot see does not re-run it.
func (r *runner) stepCode(step string) (core.Digest, error) {
	spec := r.fl.Steps[step].Code
	if len(spec.Include) == 0 && len(spec.Exclude) == 0 {
		return r.rec.Code, nil
	}
	keep, err := capture.CodeFilter(r.fl.Dir, spec.Include, spec.Exclude)
	if err != nil {
		return "", &InputError{fmt.Errorf("steps.%s.code: %w", step, err)}
	}
	tree, err := r.h.Store.GetTree(r.rec.Code)
	if err != nil {
		return "", fmt.Errorf("step %s: read the code snapshot: %w", step, err)
	}
	var kept []core.TreeEntry
	for _, e := range tree.Entries {
		if keep(e.Path, e.Kind == core.KindDir) {
			kept = append(kept, e)
		}
	}
	d, err := r.h.Store.PutJSON(core.NewTree(kept))
	if err != nil {
		return "", fmt.Errorf("step %s: store its code tree: %w", step, err)
	}
	return d, nil
}
