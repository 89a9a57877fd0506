package evidence

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sbom"
)

// Sink receives a run's evidence one named piece at a time. Names are
// slash-separated paths relative to the evidence's root, each written
// once. A Sink reads stored objects itself, so it can link or copy them
// without passing their bytes through the caller.
type Sink interface {
	// File writes the stored file object d at name.
	File(ctx context.Context, name string, d core.Digest) error
	// Tree writes the stored tree d as the directory name.
	Tree(ctx context.Context, name string, d core.Digest) error
	// Bytes writes b at name.
	Bytes(ctx context.Context, name string, b []byte) error
}

// Export writes the evidence of the run rec, whose task records are tasks,
// to sink:
//
//	provenance.sigstore.json        the run's signed SLSA provenance
//	                                (provenance-N.sigstore.json for more)
//	records/run.json                the run record
//	records/tasks/STEP.json         each task record
//	artifacts/STEP/OUTPUT           each output; a model folder holds its
//	                                model-signing bundle as model.sig
//	environments/ENV.json           each environment record with a signed
//	                                SBOM (ENV: the first 12 hex digits of
//	                                its digest), and the SBOM's bundle as
//	                                environments/ENV.sbom.sigstore.json
//	trusted_root.json               an empty Sigstore trusted root
//	VERIFY.md                       the commands that verify them
//
// The bundles and the record come from the catalog's index of the run.
func Export(ctx context.Context, cat catalog.Catalog, rec *core.RunRecord, tasks map[string]*core.TaskRecord, sink Sink) error {
	rows, err := cat.RunAttestations(ctx, rec.ID)
	if err != nil {
		return err
	}
	models := map[core.Digest]core.Digest{} // model tree → model-signing bundle
	sboms := map[core.Digest]core.Digest{}  // environment → its SBOM's bundle
	var provenance []core.Digest
	seen := map[core.Digest]bool{}
	for _, r := range rows {
		switch r.PredicateType {
		case attest.ProvenancePredicateType:
			if !seen[r.Bundle] {
				seen[r.Bundle] = true
				provenance = append(provenance, r.Bundle)
			}
		case attest.ModelPredicateType:
			models[r.Subject] = r.Bundle
		case sbom.PredicateType:
			if sboms[r.Subject] == "" {
				sboms[r.Subject] = r.Bundle
			}
		}
	}
	for i, b := range provenance {
		name := "provenance.sigstore.json"
		if i > 0 {
			name = fmt.Sprintf("provenance-%d.sigstore.json", i+1)
		}
		if err := sink.File(ctx, name, b); err != nil {
			return err
		}
	}
	if err := sink.File(ctx, "records/run.json", recordDigest(ctx, cat, rec.ID)); err != nil {
		return err
	}
	var verifyLines []string
	for _, step := range startOrder(tasks) {
		t := tasks[step]
		if d := rec.Tasks[step]; d != "" {
			if err := sink.File(ctx, "records/tasks/"+step+".json", d); err != nil {
				return err
			}
		}
		for _, name := range sortedNames(t.Outputs) {
			a := t.Outputs[name]
			p := "artifacts/" + step + "/" + name
			if a.Kind == core.KindTree {
				if err := sink.Tree(ctx, p, a.Digest); err != nil {
					return err
				}
				if b, ok := models[a.Digest]; ok {
					if err := sink.File(ctx, p+"/model.sig", b); err != nil {
						return err
					}
				}
				verifyLines = append(verifyLines, fmt.Sprintf("lockstep verify %s --key builder.pub --bundle provenance.sigstore.json", p))
				continue
			}
			if err := sink.File(ctx, p, a.Digest); err != nil {
				return err
			}
			verifyLines = append(verifyLines, fmt.Sprintf("cosign verify-blob-attestation --key builder.pub --bundle provenance.sigstore.json --type https://slsa.dev/provenance/v1 --insecure-ignore-tlog=true --trusted-root trusted_root.json %s", p))
		}
	}
	for _, step := range startOrder(tasks) {
		env := tasks[step].Environment
		bundle, ok := sboms[env]
		if !ok {
			continue
		}
		delete(sboms, env)
		p := "environments/" + env.Hex()[:12]
		if err := sink.File(ctx, p+".json", env); err != nil {
			return err
		}
		if err := sink.File(ctx, p+".sbom.sigstore.json", bundle); err != nil {
			return err
		}
		verifyLines = append(verifyLines, fmt.Sprintf("cosign verify-blob-attestation --key builder.pub --bundle %s.sbom.sigstore.json --type cyclonedx --insecure-ignore-tlog=true --trusted-root trusted_root.json %s.json", p, p))
	}
	// Key-based bundles need no CA or transparency log: an empty trusted
	// root lets cosign verify them offline.
	if err := sink.Bytes(ctx, "trusted_root.json", []byte(emptyTrustedRoot)); err != nil {
		return err
	}
	return sink.Bytes(ctx, "VERIFY.md", []byte(verifyReadme(rec, verifyLines)))
}

const emptyTrustedRoot = `{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}` + "\n"

// verifyReadme is VERIFY.md: how to check the evidence of rec.
func verifyReadme(rec *core.RunRecord, verifyLines []string) string {
	return fmt.Sprintf(`# Evidence of run %s (flow %s)

Verify with the builder's public key (builder.pub). Files, with cosign
(trusted_root.json is an empty Sigstore trusted root: the bundles are signed
by a key, not by a certificate, so nothing else needs trusting; online, cosign
can fetch the public-good root itself and the flag may be left out):

    %s

Any artifact (model folders check their model.sig file by file), with lockstep:

    lockstep verify artifacts/STEP/OUTPUT --key builder.pub --bundle provenance.sigstore.json
`, rec.ID, rec.Flow, strings.Join(verifyLines, "\n    "))
}

// recordDigest is the digest of run id's record as the catalog has it, or
// "" when it has none.
func recordDigest(ctx context.Context, cat catalog.Catalog, id string) core.Digest {
	row, err := cat.Run(ctx, id)
	if err != nil {
		return ""
	}
	return row.Record
}

// startOrder returns the steps in the order their tasks started, ties by
// name.
func startOrder(tasks map[string]*core.TaskRecord) []string {
	steps := sortedNames(tasks)
	sort.SliceStable(steps, func(i, j int) bool { return tasks[steps[i]].Started.Before(tasks[steps[j]].Started) })
	return steps
}

func sortedNames[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
