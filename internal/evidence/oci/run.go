package oci

import (
	"context"
	"fmt"
	"path"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Output is a run's output to push.
type Output struct {
	Run      *core.RunRecord
	Target   string        // STEP.OUTPUT
	Artifact core.Artifact // what the run recorded for Target
}

// PushOutput pushes the output out of a run to ref as a model, with the
// evidence lockstep holds for it attached as referrers: every SLSA
// provenance bundle of the run that names the output, and its OpenSSF
// model signature if it has one. With signer set it also signs, and
// attaches, the run's provenance restated about the model's manifest
// digest, the subject cosign verify-attestation checks for an image.
func PushOutput(ctx context.Context, st *store.Store, cat catalog.Catalog, out Output, ref name.Reference, signer core.Signer, opts ...remote.Option) (*Pushed, error) {
	m, err := outputModel(st, out, ref)
	if err != nil {
		return nil, err
	}
	rows, err := cat.RunAttestations(ctx, out.Run.ID)
	if err != nil {
		return nil, err
	}
	var atts []Attachment
	var provenance []byte
	seen := map[core.Digest]bool{}
	for _, r := range rows {
		if r.Subject != out.Artifact.Digest || seen[r.Bundle] {
			continue
		}
		if r.PredicateType != attest.ProvenancePredicateType && r.PredicateType != attest.ModelPredicateType {
			continue
		}
		seen[r.Bundle] = true
		b, err := attest.ReadBundle(st, r.Bundle)
		if err != nil {
			return nil, fmt.Errorf("push %s: %w", out.Target, err)
		}
		if r.PredicateType == attest.ProvenancePredicateType && provenance == nil {
			provenance = b
		}
		atts = append(atts, BundleAttachment(b, r.PredicateType, r.Created))
	}
	if signer != nil {
		if provenance == nil {
			return nil, fmt.Errorf("push %s: run %s has no signed provenance to restate for the registry; sign runs with --sign-with KEY", out.Target, out.Run.ID)
		}
		b, err := restate(ctx, provenance, out.Artifact.Digest, ref, m.Digest, signer)
		if err != nil {
			return nil, fmt.Errorf("push %s: %w", out.Target, err)
		}
		atts = append(atts, BundleAttachment(b, attest.ProvenancePredicateType, out.Run.Finished))
	}
	return Push(ctx, st, ref, m, atts, opts...)
}

// outputModel lays out the output as a model named after ref.
func outputModel(st *store.Store, out Output, ref name.Reference) (*Model, error) {
	info := Info{Name: path.Base(ref.Context().RepositoryStr()), Run: out.Run.ID, Created: out.Run.Finished}
	if t, ok := ref.(name.Tag); ok {
		info.Version = t.TagStr()
	}
	if out.Run.Git != nil {
		info.Revision = out.Run.Git.Commit
	}
	a := out.Artifact
	if a.Kind != core.KindTree {
		file := a.File
		if file == "" {
			file = path.Ext(out.Target)[1:]
		}
		return NewFileModel(a.Digest, a.Size, file, info)
	}
	t, err := st.GetTree(a.Digest)
	if err != nil {
		return nil, fmt.Errorf("push %s: %w", out.Target, err)
	}
	return NewTreeModel(a.Digest, t, info)
}

// restate signs the predicate of the provenance bundle b, which must name
// subject, again, about the manifest d at ref.
func restate(ctx context.Context, b []byte, subject core.Digest, ref name.Reference, d core.Digest, signer core.Signer) ([]byte, error) {
	st, err := attest.InspectUnverified(b)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(st.Subject, func(s attest.Subject) bool { return s.Digest == subject }) {
		return nil, fmt.Errorf("the run's provenance does not name %s; not restating it", subject.Short())
	}
	stmt := attest.NewStatement([]attest.Subject{{Name: ref.Context().Name(), Digest: d}}, st.PredicateType, st.Predicate)
	return attest.Sign(ctx, stmt, signer)
}
