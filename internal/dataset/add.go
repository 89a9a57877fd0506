package dataset

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
	"lockstep.dev/lockstep/internal/store"
)

// AddOptions say what to register and how.
type AddOptions struct {
	Ref Ref
	// Source is a local path or a file://, http(s):// or s3:// URL.
	Source string
	// Origin is where the data came from when Source is a local copy
	// (--source); it is recorded as a distribution reference.
	Origin string
	// Description, License (SPDX), Producer and Classification (Public,
	// Internal or Restricted; "" means Internal) go into the BOM.
	Description, License, Producer, Classification string
	// Card is the datasheet, or nil.
	Card *Card
	// Expect, if set, must be the digest of the fetched file (or of the
	// tree, for a directory); anything else is refused.
	Expect core.Digest
	// MaxSize bounds a download; 0 means DefaultMaxSize.
	MaxSize int64
	// Pickle is the format policy for pickles (zero: refuse every one);
	// the BOM records a policy that lets pickles in.
	Pickle scan.PicklePolicy
	// Signer signs the BOM; nil leaves it unsigned.
	Signer *attest.Signer
	// HTTPClient fetches http(s) sources; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Progress, if set, is called with bytes hashed while ingesting a
	// directory.
	Progress func(int64)
	// Now stamps the BOM; zero means the current time.
	Now time.Time
}

// Added is what Add registered (or found already registered).
type Added struct {
	Ref    Ref         `json:"-"`
	Name   string      `json:"name"`
	Tree   core.Digest `json:"tree"`
	BOM    core.Digest `json:"bom"`
	Bundle core.Digest `json:"bundle,omitempty"`
	Files  int         `json:"files"`
	Size   int64       `json:"size"`
	// Existing is set when the same content was already registered under
	// the name: nothing was written, except a signature by a new signer.
	Existing bool `json:"existing"`
	// Source is the fetched source, with its digest and warnings.
	Source Fetched `json:"source"`
	// Flagged are the files the scanner let in with a warning (allowed
	// pickles, files failing format validation), by path.
	Flagged map[string]FileScan `json:"flagged,omitempty"`
}

// Add copies a dataset into the store, writes and signs its bill of
// materials and binds NAME@VERSION to its tree, in that order, so a failure
// at any step leaves no name bound (only unreferenced objects, which gc
// removes). Adding the same content under the same name again changes
// nothing; other content fails with ErrConflict showing both digests.
func Add(ctx context.Context, st *store.Store, cat catalog.Catalog, o AddOptions) (*Added, error) {
	if err := checkClassification(o.Classification); err != nil {
		return nil, err
	}
	in, err := ingest(ctx, st, o.Source, o)
	if err != nil {
		return nil, err
	}
	if o.Expect != "" && o.Expect != in.digest && o.Expect != in.source.Digest {
		return nil, fmt.Errorf("dataset %s from %s: %w: expected %s, got %s (file) / %s (tree); nothing was registered",
			o.Ref, o.Source, ErrDigestMismatch, o.Expect, in.source.Digest, in.digest)
	}
	out := &Added{Ref: o.Ref, Name: o.Ref.String(), Tree: in.digest, Files: len(in.tree.Entries), Size: in.tree.Size(),
		Source: in.source, Flagged: flagged(in.scans)}
	if tree, meta, err := cat.Name(ctx, Kind, o.Ref.String()); err == nil {
		if tree != in.digest {
			return nil, conflict(o.Ref, tree, in.digest, o.Source)
		}
		out.Existing, out.BOM = true, meta
		out.Bundle, err = signExisting(ctx, st, cat, o, in, meta)
		return out, err
	} else if !errors.Is(err, catalog.ErrNotFound) {
		return nil, fmt.Errorf("look up dataset %s: %w", o.Ref, err)
	}
	desc := Description{Ref: o.Ref, Description: o.Description, License: o.License, Producer: o.Producer,
		Classification: classificationOr(o.Classification), Card: o.Card, PicklePolicy: o.Pickle, Scans: in.scans,
		Sources: []Fetched{in.source}}
	if o.Origin != "" {
		desc.Sources = append(desc.Sources, Fetched{URL: o.Origin})
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	bom, err := EncodeBOM(BuildBOM(desc, in.digest, in.tree, now))
	if err != nil {
		return nil, err
	}
	bundle, signer, err := signBOM(ctx, o.Ref, in.digest, in.tree, bom, o.Signer)
	if err != nil {
		return nil, err
	}
	out.BOM, out.Bundle, err = register(ctx, st, cat, o.Ref, in.digest, in.tree, bom, bundle, signer)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// signExisting signs the BOM of an already registered dataset when a
// signer is given and has not signed it yet, so a producer can sign a
// registered version without changing it.
func signExisting(ctx context.Context, st *store.Store, cat catalog.Catalog, o AddOptions, in *ingested, meta core.Digest) (core.Digest, error) {
	if o.Signer == nil {
		return "", nil
	}
	fp := o.Signer.PublicKey.Fingerprint()
	rows, err := attest.StoredRows(ctx, cat, in.digest, BOMPredicateType)
	if err != nil {
		return "", fmt.Errorf("dataset %s: %w", o.Ref, err)
	}
	for _, r := range rows {
		if r.Signer == fp {
			return r.Bundle, nil
		}
	}
	bom, err := st.ReadBytes(meta)
	if err != nil {
		return "", fmt.Errorf("dataset %s: read bill of materials: %w", o.Ref, err)
	}
	b, signer, err := signBOM(ctx, o.Ref, in.digest, in.tree, bom, o.Signer)
	if err != nil {
		return "", err
	}
	return storeBundle(ctx, st, cat, b, o.Ref, in.digest, in.tree, signer)
}

// conflict is the error for a name bound to other content.
func conflict(ref Ref, bound, got core.Digest, src string) error {
	return fmt.Errorf("dataset %s: %w: it is bound to %s, but %s has %s; versions never change, so register the new content as a new version (e.g. %s@%s-2)",
		ref, ErrConflict, bound, src, got, ref.Name, ref.Version)
}

// checkClassification accepts "" (meaning Internal) and the three levels.
func checkClassification(c string) error {
	switch c {
	case "", Public, Internal, Restricted:
		return nil
	}
	return fmt.Errorf("classification %q: want public, internal or restricted", c)
}

func classificationOr(c string) string {
	if c == "" {
		return Internal
	}
	return c
}
