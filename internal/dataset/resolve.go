package dataset

import (
	"context"
	"errors"
	"fmt"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Trust is who a run trusts: producers sign dataset BOMs; CodeReviewed
// says whether code may see restricted data, an error saying why not
// (review.Check, with the trusted reviewers' keys). Without it no code may
// see restricted data.
type Trust struct {
	Producers    []*attest.PublicKey
	CodeReviewed func(ctx context.Context, code core.Digest) error
}

// errNoReviewCheck refuses restricted data when the caller gave no way to
// check code reviews.
var errNoReviewCheck = errors.New("no reviews of code are trusted")

// Resolved is a dataset checked and ready to be materialised.
type Resolved struct {
	Name, Version string
	// Artifact is the dataset as a run input: Digest is the tree digest,
	// Kind core.KindTree, Source "dataset:NAME@VERSION".
	Artifact core.Artifact
	// BOM is the stored bill of materials, Bundle its signature ("" when
	// unsigned and no producers are trusted).
	BOM            core.Digest
	Bundle         core.Digest
	Classification string
	// Signer is the fingerprint of the producer key that signed the BOM,
	// or "".
	Signer string
}

// Resolve looks ref (NAME@VERSION) up and checks it before any data is
// copied: the BOM's signature against trust.Producers when any are given;
// that the stored files still match the BOM, rehashing each one (the first
// mismatching file is named); and, for a restricted dataset, that code
// (the task's code tree) passes trust.CodeReviewed. Nothing is
// materialised.
func Resolve(ctx context.Context, st *store.Store, cat catalog.Catalog, ref string, code core.Digest, trust Trust) (*Resolved, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	d, err := Lookup(ctx, st, cat, r)
	if err != nil {
		return nil, err
	}
	out := &Resolved{Name: r.Name, Version: r.Version, BOM: d.BOMDigest, Classification: d.BOM.Classification,
		Artifact: core.Artifact{Digest: d.Tree, Kind: core.KindTree, Source: r.Source()}}
	for _, e := range d.BOM.Entries {
		out.Artifact.Size += e.Size
	}
	if len(trust.Producers) > 0 {
		key, bundle, err := d.Signature(st, trust.Producers)
		if err != nil {
			return nil, fmt.Errorf("%w (trusted producers: %s)", err, keyNames(trust.Producers))
		}
		out.Signer, out.Bundle = key.Fingerprint(), bundle
	}
	if err := d.CheckFiles(ctx, st, true); err != nil {
		return nil, err
	}
	if d.BOM.Classification == Restricted {
		err := errNoReviewCheck
		if trust.CodeReviewed != nil {
			err = trust.CodeReviewed(ctx, code)
		}
		if err != nil {
			return nil, fmt.Errorf("dataset %s is restricted: only reviewed code may read it: %w", r, err)
		}
	}
	return out, nil
}

func keyNames(keys []*attest.PublicKey) string {
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += k.String()
	}
	return s
}
