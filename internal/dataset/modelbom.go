package dataset

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// RunBOM returns the CycloneDX 1.6 ML-BOM of a run's models: one
// machine-learning-model component per model in models (provenance.Models
// finds a run's), with its files and a model card whose
// modelParameters.datasets reference the datasets it was trained on; one data component per such dataset, with its
// tree, BOM and classification; and the run's attestations (provenance,
// model signatures) and the SBOM of the environment the model was made in
// (Model.SBOM) as external references. A run without models gets a
// BOM without model components.
func RunBOM(ctx context.Context, st *store.Store, cat catalog.Catalog, rec *core.RunRecord,
	tasks map[string]*core.TaskRecord, models []Model) (*cdx.BOM, error) {
	atts, err := cat.RunAttestations(ctx, rec.ID)
	if err != nil {
		return nil, fmt.Errorf("bom of run %s: attestations: %w", rec.ID, err)
	}
	var comps []cdx.Component
	var deps []cdx.Dependency
	datasets := map[string]bool{}
	for _, m := range models {
		trained := TrainedOn(tasks, m.Step)
		c := modelComponent(rec, m, trained, atts)
		comps = append(comps, c)
		refs := make([]string, 0, len(trained))
		for _, d := range trained {
			refs = append(refs, "dataset:"+d)
			datasets[d] = true
		}
		deps = append(deps, cdx.Dependency{Ref: c.BOMRef, Dependencies: &refs})
	}
	for _, name := range sortedSet(datasets) {
		comps = append(comps, datasetComponent(ctx, st, cat, name))
	}
	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://lockstep.dev/runs/"+rec.ID)).String()
	props := []cdx.Property{{Name: "lockstep:run", Value: rec.ID}, {Name: "lockstep:flow", Value: rec.Flow},
		{Name: "lockstep:code", Value: string(rec.Code)}, {Name: "lockstep:seed", Value: strconv.FormatInt(rec.Seed, 10)}}
	stamp := rec.Finished
	if stamp.IsZero() {
		stamp = rec.Started
	}
	bom.Metadata = &cdx.Metadata{
		Timestamp:  stamp.UTC().Format(time.RFC3339),
		Tools:      &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "lockstep", Version: rec.Version}}},
		Properties: &props,
	}
	if len(comps) > 0 {
		bom.Components = &comps
	}
	if len(deps) > 0 {
		bom.Dependencies = &deps
	}
	return bom, nil
}

// modelComponent describes one model output.
func modelComponent(rec *core.RunRecord, m Model, trained []string, atts []catalog.AttestationRow) cdx.Component {
	bomRef := "model:" + rec.ID + "/" + m.Name
	files := fileComponents(bomRef, m.Tree, nil)
	props := []cdx.Property{{Name: propTree, Value: string(m.Artifact.Digest)},
		{Name: propSize, Value: strconv.FormatInt(m.Tree.Size(), 10)}}
	var sets []cdx.MLDatasetChoice
	for _, d := range trained {
		sets = append(sets, cdx.MLDatasetChoice{Ref: "dataset:" + d})
	}
	c := cdx.Component{BOMRef: bomRef, Type: cdx.ComponentTypeMachineLearningModel, Name: m.Name, Version: rec.ID,
		Properties: &props, Components: &files}
	if len(sets) > 0 {
		c.ModelCard = &cdx.MLModelCard{ModelParameters: &cdx.MLModelParameters{Datasets: &sets}}
	}
	var refs []cdx.ExternalReference
	seen := map[core.Digest]bool{}
	for _, a := range atts {
		if a.Subject != m.Artifact.Digest || seen[a.Bundle] {
			continue
		}
		seen[a.Bundle] = true
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeAttestation, URL: "urn:lockstep:bundle:" + string(a.Bundle),
			Comment: a.PredicateType, Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: a.Bundle.Hex()}}})
	}
	if s := m.SBOM; s != nil {
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeBOM, URL: s.BOMLink,
			Comment: "CycloneDX SBOM of environment " + string(s.Environment) + ", where step " + m.Step + " ran",
			Hashes:  &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: s.Digest.Hex()}}})
	}
	if len(refs) > 0 {
		c.ExternalReferences = &refs
	}
	return c
}

// datasetComponent describes a dataset a model was trained on, from its
// registered BOM when the catalog has it.
func datasetComponent(ctx context.Context, st *store.Store, cat catalog.Catalog, name string) cdx.Component {
	c := cdx.Component{BOMRef: "dataset:" + name, Type: cdx.ComponentTypeData, Name: name}
	ref, err := ParseRef(name)
	if err != nil {
		return c
	}
	c.Name, c.Version = ref.Name, ref.Version
	d, err := Lookup(ctx, st, cat, ref)
	if err != nil {
		return c
	}
	props := []cdx.Property{{Name: propTree, Value: string(d.Tree)}, {Name: "lockstep:bom", Value: string(d.BOMDigest)}}
	c.Properties = &props
	c.Data = &[]cdx.ComponentData{{Type: cdx.ComponentDataTypeDataset, Name: name, Classification: d.BOM.Classification}}
	if d.BOM.Producer != "" {
		c.Supplier = &cdx.OrganizationalEntity{Name: d.BOM.Producer}
	}
	return c
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
