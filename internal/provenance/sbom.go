package provenance

import (
	"context"
	"encoding/json"
	"fmt"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sbom"
	"lockstep.dev/lockstep/internal/store"
)

// EnvironmentSBOM is the CycloneDX SBOM of one environment a run's steps
// ran in.
type EnvironmentSBOM struct {
	*sbom.Document
	// Steps ran in the environment, sorted.
	Steps []string
}

// SBOMs returns the SBOM of every distinct environment the tasks ran in,
// in the order of the first step (by name) that ran in each. The SBOMs
// are rendered from the stored environment records, so the digests are
// the ones `lockstep sbom` prints.
func SBOMs(st *store.Store, tasks map[string]*core.TaskRecord) ([]EnvironmentSBOM, error) {
	var out []EnvironmentSBOM
	index := map[core.Digest]int{}
	for _, step := range sortedKeys(tasks) {
		d := tasks[step].Environment
		if d == "" {
			continue
		}
		if i, ok := index[d]; ok {
			out[i].Steps = append(out[i].Steps, step)
			continue
		}
		b, err := st.ReadBytes(d)
		if err != nil {
			return nil, fmt.Errorf("read environment %s of step %s: %w", d, step, err)
		}
		env := new(capture.Environment)
		if err := json.Unmarshal(b, env); err != nil {
			return nil, fmt.Errorf("read environment %s of step %s: %w", d, step, err)
		}
		doc, err := sbom.New(env, d)
		if err != nil {
			return nil, err
		}
		index[d] = len(out)
		out = append(out, EnvironmentSBOM{Document: doc, Steps: []string{step}})
	}
	return out, nil
}

// SignSBOM stores the SBOM document (so its digest names an object `lockstep
// cat` writes), signs it as an in-toto statement of the document's
// predicate type (sbom.PredicateType for CycloneDX, the SPDX ones for SPDX)
// about its environment record, and stores and indexes
// the bundle under the environment's digest as belonging to run (may be
// ""). It returns the bundle's digest.
func SignSBOM(ctx context.Context, st *store.Store, cat catalog.Catalog, doc *sbom.Document, signer core.Signer, run string) (core.Digest, error) {
	if _, err := st.PutBytes(doc.Bytes); err != nil {
		return "", fmt.Errorf("store SBOM of environment %s: %w", doc.Environment, err)
	}
	d, err := StoreBundle(ctx, st, cat, doc.Statement(), signer, run)
	if err != nil {
		return "", fmt.Errorf("sign SBOM of environment %s: %w", doc.Environment, err)
	}
	return d, nil
}

// sbomByproducts names each SBOM among the provenance's byproducts: its
// digest, media type, the environment it describes and the steps that
// ran in it. The environment itself is a resolved dependency; the SBOM is
// what the run's signing derived from it, as the task records are.
func sbomByproducts(sboms []EnvironmentSBOM) []attest.ResourceDescriptor {
	out := make([]attest.ResourceDescriptor, 0, len(sboms))
	for _, s := range sboms {
		out = append(out, attest.ResourceDescriptor{Name: "sbom", URI: s.BOMLink, Digest: s.Digest, Annotations: map[string]any{
			"mediaType": sbom.MediaType, "environment": s.Environment.String(), "steps": s.Steps}})
	}
	return out
}
