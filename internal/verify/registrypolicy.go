package verify

import (
	"context"
	"fmt"
	"slices"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/evidence/oci"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/store"
)

// RegistryModel is a model found in a registry with the provenance
// attached to it, read but not yet trusted: a policy's keys decide
// (Evaluate).
type RegistryModel struct {
	// Ref is the reference as given.
	Ref string `json:"ref"`
	// Manifest is the digest of the model's manifest (what a tag named
	// when it was read).
	Manifest core.Digest `json:"manifest"`
	// Tree is the stored tree (or, for a one-file model, the file) the
	// manifest's layers make up, recomputed from them: what the run's
	// provenance names and what the policy is evaluated on.
	Tree core.Digest `json:"tree"`
	// Notes are referrers not used as provenance of Tree, and why.
	Notes []string `json:"notes,omitempty"`
	// Provenance are the provenance bundles among the referrers whose
	// statement names Tree, unverified.
	Provenance [][]byte `json:"-"`
}

// RegistryEvidence reads the referrers of the model rem (opened with
// oci.Open or oci.OpenAny) and keeps the SLSA provenance bundles whose
// statement names the tree its layers make up. The provenance restated
// about the manifest (for cosign), other predicates, other artifact types
// and referrers that cannot be read are noted, not used. Nothing is
// verified here.
func RegistryEvidence(rem *oci.Remote) (*RegistryModel, error) {
	m := rem.Model
	att, err := readAttached(rem)
	if err != nil {
		return nil, err
	}
	rm := &RegistryModel{Ref: rem.Ref, Manifest: m.Digest, Tree: m.Subject, Notes: att.notes}
	for _, c := range att.provenance {
		rm.Provenance = append(rm.Provenance, c.b)
	}
	for _, c := range att.manifest {
		rm.Notes = append(rm.Notes, fmt.Sprintf("%s: provenance about the manifest %s (for cosign); not used by the policy", c.name, m.Digest.Short()))
	}
	if att.modelSignature != nil {
		rm.Notes = append(rm.Notes, "model signature attached; not used by the policy (it checks the home's)")
	}
	return rm, nil
}

// attached is what is attached to a model, sorted by what each referrer
// claims to be. Nothing in it is verified.
type attached struct {
	provenance     []candidate // SLSA provenance naming the model's tree
	manifest       []candidate // SLSA provenance naming the manifest digest
	modelSignature []byte      // the first OpenSSF model signature
	documents      []Document  // the ML-BOM, the scan report
	notes          []string    // everything else, and why it is not used
}

// readAttached reads every referrer of rem, within its limits.
func readAttached(rem *oci.Remote) (*attached, error) {
	m := rem.Model
	refs, err := rem.Referrers()
	if err != nil {
		return nil, err
	}
	att := &attached{}
	for _, x := range refs {
		a, err := rem.Fetch(x)
		if err != nil {
			att.notes = append(att.notes, err.Error())
			continue
		}
		if a.Data == nil {
			switch a.ArtifactType {
			case oci.ArtifactTypeBOM, oci.ArtifactTypeScanReport:
				att.documents = append(att.documents, Document{Type: a.ArtifactType, Referrer: x.Digest})
			default:
				att.notes = append(att.notes, fmt.Sprintf("referrer %s of artifact type %q is not a Sigstore bundle; not used", x.Digest.Short(), a.ArtifactType))
			}
			continue
		}
		st, err := attest.InspectUnverified(a.Data)
		names := func(d core.Digest) bool {
			return slices.ContainsFunc(st.Subject, func(s attest.Subject) bool { return s.Digest == d })
		}
		c := candidate{name: "referrer " + x.Digest.Short(), b: a.Data}
		switch {
		case err != nil:
			att.notes = append(att.notes, fmt.Sprintf("referrer %s: %v", x.Digest.Short(), err))
		case st.PredicateType == attest.ModelPredicateType:
			if att.modelSignature == nil {
				att.modelSignature = a.Data
			}
		case st.PredicateType != attest.ProvenancePredicateType:
			att.notes = append(att.notes, fmt.Sprintf("referrer %s: predicate %s; not checked", x.Digest.Short(), st.PredicateType))
		case names(m.Subject):
			att.provenance = append(att.provenance, c)
		case names(m.Digest):
			att.manifest = append(att.manifest, c)
		default:
			att.notes = append(att.notes, fmt.Sprintf("referrer %s: provenance about %s, neither the model's tree %s nor its manifest; not used", x.Digest.Short(), subjects(st), m.Subject.Short()))
		}
	}
	return att, nil
}

// subjects names a statement's subject digests, for a note.
func subjects(st *attest.Statement) string {
	if len(st.Subject) == 1 {
		return st.Subject[0].Digest.Short()
	}
	return fmt.Sprintf("%d subjects", len(st.Subject))
}

// Evaluate evaluates pol on the model's tree: the provenance attached in
// the registry counts beside the home's (st, cat), which still supplies
// the rest (the run's records, reviews, reproductions, datasets).
func (rm *RegistryModel) Evaluate(ctx context.Context, st *store.Store, cat catalog.Catalog, pol *policy.Policy, opts policy.Options) (*policy.Result, error) {
	opts.Provenance = append(slices.Clip(opts.Provenance), rm.Provenance...)
	return policy.Evaluate(ctx, st, cat, pol, policy.Target{Digest: rm.Tree}, opts)
}
