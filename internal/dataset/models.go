package dataset

import (
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// Model is a model a run produced: a tree output (provenance.Models finds
// them).
type Model struct {
	// Name is STEP/OUTPUT.
	Name string
	Step string
	Tree *core.Tree
	// Artifact is the output as the task recorded it.
	Artifact core.Artifact
	// SBOM names the CycloneDX SBOM of the environment Step ran in; nil
	// when the step recorded no environment.
	SBOM *SBOMRef
}

// SBOMRef names the CycloneDX SBOM of an environment: RunBOM lists it on
// the model as an external reference of type "bom".
type SBOMRef struct {
	// Environment is the digest of the environment record.
	Environment core.Digest
	// Digest is the sha256 of the SBOM document.
	Digest core.Digest
	// BOMLink is the document's CycloneDX BOM-Link, urn:cdx:SERIAL/VERSION.
	BOMLink string
}

// TrainedOn returns the datasets (NAME@VERSION, sorted) that step read,
// directly or through the outputs of the steps before it (and of the items
// of foreach steps).
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
		for _, item := range t.Items { // a foreach step read what its items read
			visit(item)
		}
		for _, in := range t.Inputs {
			switch {
			case strings.HasPrefix(in.Source, "dataset:"):
				sets[strings.TrimPrefix(in.Source, "dataset:")] = true
			case strings.HasPrefix(in.Source, "step:"):
				up, _, _ := core.SplitRef(strings.TrimPrefix(in.Source, "step:"))
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
