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
// oci.Open) and keeps the SLSA provenance bundles whose statement names the
// tree its layers make up. The provenance restated about the manifest (for
// cosign), other predicates, other artifact types and referrers that
// cannot be read are noted, not used. Nothing is verified here.
func RegistryEvidence(rem *oci.Remote) (*RegistryModel, error) {
	m := rem.Model
	rm := &RegistryModel{Ref: rem.Ref.String(), Manifest: m.Digest, Tree: m.Subject}
	refs, err := rem.Referrers()
	if err != nil {
		return nil, err
	}
	for _, x := range refs {
		a, err := rem.Fetch(x)
		if err != nil {
			rm.Notes = append(rm.Notes, err.Error())
			continue
		}
		if a.Data == nil {
			rm.Notes = append(rm.Notes, fmt.Sprintf("referrer %s of artifact type %q is not a Sigstore bundle; not used", x.Digest.Short(), a.ArtifactType))
			continue
		}
		st, err := attest.InspectUnverified(a.Data)
		switch {
		case err != nil:
			rm.Notes = append(rm.Notes, fmt.Sprintf("referrer %s: %v", x.Digest.Short(), err))
		case st.PredicateType != attest.ProvenancePredicateType:
			rm.Notes = append(rm.Notes, fmt.Sprintf("referrer %s: predicate %s; not used by the policy", x.Digest.Short(), st.PredicateType))
		case !slices.ContainsFunc(st.Subject, func(s attest.Subject) bool { return s.Digest == m.Subject }):
			rm.Notes = append(rm.Notes, fmt.Sprintf("referrer %s: provenance about %s, not the model's tree %s; not used", x.Digest.Short(), subjects(st), m.Subject.Short()))
		default:
			rm.Provenance = append(rm.Provenance, a.Data)
		}
	}
	return rm, nil
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
