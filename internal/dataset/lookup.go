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

// Dataset is a registered dataset as the catalog and store hold it.
type Dataset struct {
	Ref Ref
	// Tree is the digest NAME@VERSION is bound to.
	Tree core.Digest
	// BOMDigest names the stored bill of materials; BOM is its parsed view.
	BOMDigest core.Digest
	BOM       *BOM
	// Bundles are the signed statements indexed under Tree with the BOM
	// predicate type, oldest first (not yet verified).
	Bundles []catalog.AttestationRow
}

// Lookup reads the dataset bound to ref: its binding, its BOM (checked to
// describe exactly that tree) and the bundles signing BOMs of the tree.
// An unknown name fails with ErrNotFound.
func Lookup(ctx context.Context, st *store.Store, cat catalog.Catalog, ref Ref) (*Dataset, error) {
	tree, meta, err := cat.Name(ctx, Kind, ref.String())
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, fmt.Errorf("dataset %s: %w (register it with `lockstep data add %s PATH|URL`, list them with `lockstep data list`)", ref, ErrNotFound, ref)
	}
	if err != nil {
		return nil, fmt.Errorf("look up dataset %s: %w", ref, err)
	}
	raw, err := st.ReadBytes(meta)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: read bill of materials %s: %w", ref, meta, err)
	}
	bom, err := ParseBOM(raw)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: bill of materials %s: %w", ref, meta, err)
	}
	if bom.Ref != ref || bom.Tree != tree {
		return nil, fmt.Errorf("dataset %s: %w: bill of materials %s describes %s (%s), not %s (%s)", ref, ErrBadBOM, meta, bom.Ref, bom.Tree, ref, tree)
	}
	rows, err := attest.StoredRows(ctx, cat, tree, BOMPredicateType)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", ref, err)
	}
	return &Dataset{Ref: ref, Tree: tree, BOMDigest: meta, BOM: bom, Bundles: rows}, nil
}

// List returns every registered dataset, sorted by NAME@VERSION. A binding
// whose BOM cannot be read is still listed, with a nil BOM and its error in
// the returned slice of problems.
func List(ctx context.Context, st *store.Store, cat catalog.Catalog) ([]*Dataset, []error, error) {
	rows, err := cat.Names(ctx, Kind)
	if err != nil {
		return nil, nil, fmt.Errorf("list datasets: %w", err)
	}
	var out []*Dataset
	var problems []error
	for _, r := range rows {
		ref, err := ParseRef(r.Name)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		d, err := Lookup(ctx, st, cat, ref)
		if err != nil {
			problems = append(problems, err)
			d = &Dataset{Ref: ref, Tree: r.Digest, BOMDigest: r.Meta}
		}
		out = append(out, d)
	}
	return out, problems, nil
}
