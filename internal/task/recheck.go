package task

import (
	"context"
	"fmt"
	"path"
	"sort"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// changedInput rehashes every materialised input (and the code folder,
// under the name "code") after a step and describes the first that no
// longer matches its digest, naming the input and the file: "" when all
// are intact. A step outside the sandbox could write to them; this is how
// lockstep notices instead of recording outputs made from altered inputs.
func changedInput(ctx context.Context, st *store.Store, inputs map[string]string, s *core.TaskSpec, code string) (string, error) {
	names := make([]string, 0, len(inputs))
	for name := range inputs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a := s.Inputs[name]
		p := inputs[name]
		if a.Kind != core.KindTree {
			got, err := store.HashFile(ctx, p, nil)
			if err != nil || got != a.Digest {
				return fmt.Sprintf("input %s (%s) was changed by the step; inputs are read-only: write to $LOCKSTEP_OUTPUT_DIR instead", name, p), nil
			}
			continue
		}
		if msg, err := changedTree(ctx, st, "input "+name, p, a.Digest); msg != "" || err != nil {
			return msg, err
		}
	}
	return changedTree(ctx, st, "code", code, s.Code)
}

// changedTree rehashes the folder dir, materialised from tree want, and
// describes the first file in it that differs, or returns "".
func changedTree(ctx context.Context, st *store.Store, what, dir string, want core.Digest) (string, error) {
	got, gotTree, err := st.HashTree(ctx, dir, store.TreeOptions{})
	if err == nil && got == want {
		return "", nil
	}
	file := "a file"
	if err == nil {
		wantTree, err := st.GetTree(want)
		if err != nil {
			return "", err
		}
		file = firstDifference(wantTree, gotTree)
	}
	return fmt.Sprintf("%s was changed by the step (%s); inputs are read-only: write to $LOCKSTEP_OUTPUT_DIR instead",
		what, path.Join(dir, file)), nil
}

// firstDifference names the first path, in order, that one tree has and
// the other lacks or holds differently.
func firstDifference(a, b *core.Tree) string {
	seen := map[string]core.TreeEntry{}
	for _, e := range a.Entries {
		seen[e.Path] = e
	}
	var paths []string
	for _, e := range b.Entries {
		if old, ok := seen[e.Path]; !ok || old != e {
			paths = append(paths, e.Path)
		}
		delete(seen, e.Path)
	}
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		return "."
	}
	return paths[0]
}
