package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/evidence/oci"
)

// RegistryReport is what Registry found for a model in a registry.
type RegistryReport struct {
	Report
	// Ref is the reference as given; Manifest the digest it named.
	Ref      string      `json:"ref"`
	Manifest core.Digest `json:"manifest"`
	// ManifestAttested is set when a trusted key also signed the
	// provenance about the manifest digest itself (what cosign
	// verify-attestation checks).
	ManifestAttested bool `json:"manifest_attested"`
	// Notes are referrers that were not used: another predicate, an
	// unknown artifact type, a bundle that did not verify while another
	// did.
	Notes []string `json:"notes,omitempty"`
	// Documents are the unsigned documents attached: the run's ML-BOM,
	// the output's scan report. They are listed, not verified.
	Documents []Document `json:"documents,omitempty"`

	modelSignature []byte
	remote         *oci.Remote
}

// Document is an unsigned document attached to a model in a registry.
type Document struct {
	Type     string      `json:"artifact_type"`
	Referrer core.Digest `json:"referrer"`
}

// Registry verifies the model at ref (oci://... in a registry, or
// oci-layout://... in an OCI image layout) from its manifest and
// referrers alone, before any of its files is downloaded: a provenance
// bundle attached to it must verify with one of keys and name the tree
// (or file) the manifest's layers make up. Each layer is checked against
// its digest only when it is pulled (Pull). The error wraps
// ErrNotVerified when the evidence does not hold.
func Registry(ctx context.Context, ref string, keys []*attest.PublicKey, lim oci.Limits, opts ...remote.Option) (*RegistryReport, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("no trusted keys: pass --key KEY.pub")
	}
	rem, err := oci.OpenAny(ctx, ref, lim, opts...)
	if err != nil {
		return nil, err
	}
	m := rem.Model
	rep := &RegistryReport{Report: Report{Artifact: ref, Digest: m.Subject, Kind: "oci"}, Ref: ref, Manifest: m.Digest, remote: rem}
	att, err := readAttached(rem)
	if err != nil {
		return rep, err
	}
	rep.Notes, rep.Documents, rep.modelSignature = att.notes, att.documents, att.modelSignature
	for _, c := range att.manifest {
		if _, err := attest.Verify(c.b, keys, m.Digest); err == nil {
			rep.ManifestAttested = true
		} else {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s, about the manifest: %s", c.name, explain(err, keys)))
		}
	}
	provenance := att.provenance
	if len(provenance) == 0 {
		rep.fail(fmt.Sprintf("%v for %s: %s has no provenance bundle attached (push it with `lockstep push` from a signed run)", errNoProvenance, m.Subject, ref))
		return rep, fmt.Errorf("%w: %s", ErrNotVerified, rep.Problems[0])
	}
	// Each bundle on its own, so that one that fails is reported even
	// when another verifies.
	var failed []string
	for _, c := range provenance {
		prov, err := provenanceAmong([]candidate{c}, m.Subject, keys)
		if err != nil {
			failed = append(failed, err.Error())
		} else if rep.Provenance == nil {
			rep.Provenance = prov
		}
	}
	if rep.Provenance == nil {
		rep.fail(failed[0])
		return rep, fmt.Errorf("%w: %s", ErrNotVerified, rep.Problems[0])
	}
	rep.Notes = append(rep.Notes, failed...)
	rep.Verified = true
	return rep, nil
}

// Pull verifies the model at ref as Registry does and only then downloads
// it to dest (which must not exist), each file checked against its layer's
// digest; a model signature attached to it is written as dest/model.sig
// and checked against the files. On any failure nothing is left at dest.
func Pull(ctx context.Context, ref, dest string, keys []*attest.PublicKey, lim oci.Limits, opts ...remote.Option) (*RegistryReport, error) {
	if _, err := os.Lstat(dest); err == nil {
		return nil, fmt.Errorf("%s already exists: choose a new destination", dest)
	}
	rep, err := Registry(ctx, ref, keys, lim, opts...)
	if err != nil {
		return rep, err
	}
	if err := rep.remote.PullTo(ctx, dest); err != nil {
		return rep, err
	}
	if rep.modelSignature == nil || rep.remote.Model.Single {
		return rep, nil
	}
	sig := filepath.Join(dest, attest.ModelSignatureFile)
	err = os.WriteFile(sig, rep.modelSignature, 0o644)
	if err == nil {
		// Each file was checked against its layer's digest as it was
		// written: compare those digests with the signed ones rather
		// than read the model again (a signature over shards needs the
		// bytes).
		files := map[string]core.Digest{}
		for _, f := range rep.remote.Model.Files {
			files[f.Path] = f.Digest
		}
		res, verr := attest.VerifyModelDigests(dest, files, rep.modelSignature, keys)
		if errors.Is(verr, attest.ErrShardedModel) {
			rep.Model = checkModel(ctx, dest, sig, keys, &rep.Report)
		} else {
			rep.Model = fillModelReport(&ModelReport{Signature: sig}, res, verr, keys, &rep.Report)
		}
		if !rep.Model.Verified {
			err = fmt.Errorf("%w: %s", ErrNotVerified, rep.Problems[len(rep.Problems)-1])
		}
	}
	if err != nil {
		rep.Verified = false
		return rep, errors.Join(err, os.RemoveAll(dest))
	}
	return rep, nil
}
