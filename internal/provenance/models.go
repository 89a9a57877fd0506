package provenance

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/store"
)

// WeightExtensions mark an output directory as a model even when the flow
// does not declare it one.
var WeightExtensions = []string{".safetensors", ".pt", ".pth", ".bin", ".onnx", ".h5", ".keras", ".npz", ".gguf",
	".ckpt", ".msgpack", ".tflite"}

// Models finds the models among a run's task outputs, by step then output
// name: directory outputs the flow declares `kind: model` (as the task's
// stored spec says), named "model", or holding a file with one of the
// WeightExtensions. A model directory that cannot be read is an error: the
// run's evidence would silently lack it.
//
// Each model names the SBOM of the environment its step ran in.
func Models(st *store.Store, tasks map[string]*core.TaskRecord) ([]dataset.Model, error) {
	sboms, err := SBOMs(st, tasks)
	if err != nil {
		return nil, err
	}
	return modelsOf(st, tasks, sboms)
}

// modelsOf is Models with the run's SBOMs already rendered.
func modelsOf(st *store.Store, tasks map[string]*core.TaskRecord, sboms []EnvironmentSBOM) ([]dataset.Model, error) {
	byEnv := map[core.Digest]*dataset.SBOMRef{}
	for _, s := range sboms {
		byEnv[s.Environment] = &dataset.SBOMRef{Environment: s.Environment, Digest: s.Digest, BOMLink: s.BOMLink}
	}
	var out []dataset.Model
	for _, step := range sortedKeys(tasks) {
		t := tasks[step]
		declared := declaredModels(st, t.Spec)
		for _, name := range sortedKeys(t.Outputs) {
			a := t.Outputs[name]
			if a.Kind != core.KindTree {
				continue
			}
			tree, err := st.GetTree(a.Digest)
			if err != nil {
				return nil, fmt.Errorf("output %s/%s: %w", step, name, err)
			}
			if declared[name] || name == "model" || holdsWeights(tree) {
				out = append(out, dataset.Model{Name: step + "/" + name, Step: step, Tree: tree, Artifact: a,
					SBOM: byEnv[t.Environment]})
			}
		}
	}
	return out, nil
}

// declaredModels reads which outputs a task's stored spec declares
// `kind: model`; none when it has no readable spec. Only the outputs'
// names and kinds are decoded, so any version of the spec will do.
func declaredModels(st *store.Store, spec core.Digest) map[string]bool {
	var s struct {
		Outputs []struct {
			Name string `json:"name"`
			Kind string `json:"kind"`
		} `json:"outputs"`
	}
	out := map[string]bool{}
	if spec == "" {
		return out
	}
	b, err := st.ReadBytes(spec)
	if err != nil || json.Unmarshal(b, &s) != nil {
		return out
	}
	for _, o := range s.Outputs {
		out[o.Name] = o.Kind == "model"
	}
	return out
}

func holdsWeights(t *core.Tree) bool {
	for _, e := range t.Entries {
		if slices.Contains(WeightExtensions, strings.ToLower(path.Ext(e.Path))) {
			return true
		}
	}
	return false
}
