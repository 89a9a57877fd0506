package dataset

import (
	"path"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// WeightExtensions mark an output directory as a model even when the flow
// does not declare it one.
var WeightExtensions = []string{".safetensors", ".pt", ".pth", ".bin", ".onnx", ".h5", ".keras", ".npz", ".gguf", ".ckpt"}

// Model is a model a run produced: a tree output.
type Model struct {
	// Name is STEP/OUTPUT.
	Name string
	Step string
	Tree *core.Tree
	// Artifact is the output as the task recorded it.
	Artifact core.Artifact
}

// RunModels finds the models among a run's task outputs: tree outputs
// declared as models (declared holds STEP/OUTPUT names), named "model", or
// holding a weights file (WeightExtensions). They are sorted by name.
func RunModels(st *store.Store, tasks map[string]*core.TaskRecord, declared map[string]bool) []Model {
	var out []Model
	for step, t := range tasks {
		for name, a := range t.Outputs {
			if a.Kind != core.KindTree {
				continue
			}
			tree, err := st.GetTree(a.Digest)
			if err != nil {
				continue
			}
			full := step + "/" + name
			if declared[full] || name == "model" || holdsWeights(tree) {
				out = append(out, Model{Name: full, Step: step, Tree: tree, Artifact: a})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func holdsWeights(t *core.Tree) bool {
	for _, e := range t.Entries {
		ext := strings.ToLower(path.Ext(e.Path))
		for _, w := range WeightExtensions {
			if ext == w {
				return true
			}
		}
	}
	return false
}

// TrainedOn returns the datasets (NAME@VERSION, sorted) that step read,
// directly or through the outputs of the steps before it.
func TrainedOn(tasks map[string]*core.TaskRecord, step string) []string {
	seen := map[string]bool{}
	sets := map[string]bool{}
	var visit func(string)
	visit = func(s string) {
		t := tasks[s]
		if t == nil || seen[s] {
			return
		}
		seen[s] = true
		for _, in := range t.Inputs {
			switch {
			case strings.HasPrefix(in.Source, "dataset:"):
				sets[strings.TrimPrefix(in.Source, "dataset:")] = true
			case strings.HasPrefix(in.Source, "step:"):
				up, _, _ := strings.Cut(strings.TrimPrefix(in.Source, "step:"), ".")
				visit(up)
			}
		}
	}
	visit(step)
	out := make([]string, 0, len(sets))
	for s := range sets {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
