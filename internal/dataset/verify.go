package dataset

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"golang.org/x/sync/errgroup"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Signature checks the dataset's signed BOMs against keys and returns the
// key that signed this very BOM and the bundle. Without bundles it fails
// with ErrUnsigned; a bundle by another key, or over another BOM, fails with
// the reason of the last bundle tried.
func (d *Dataset) Signature(st *store.Store, keys []*attest.PublicKey) (*attest.PublicKey, core.Digest, error) {
	if len(d.Bundles) == 0 {
		return nil, "", fmt.Errorf("dataset %s: %w: its bill of materials was never signed (re-register it with --sign-with, or import a signed one)", d.Ref, ErrUnsigned)
	}
	raw, err := st.ReadBytes(d.BOMDigest)
	if err != nil {
		return nil, "", fmt.Errorf("dataset %s: read bill of materials: %w", d.Ref, err)
	}
	var last error
	for i := len(d.Bundles) - 1; i >= 0; i-- {
		row := d.Bundles[i]
		b, err := attest.ReadBundle(st, row.Bundle)
		if err != nil {
			last = err
			continue
		}
		v, err := attest.Verify(b, keys, d.Tree)
		if err != nil {
			last = err
			continue
		}
		if err := sameBOM(v.Statement, raw); err != nil {
			last = err
			continue
		}
		return v.Key, row.Bundle, nil
	}
	return nil, "", fmt.Errorf("dataset %s: %w: %w", d.Ref, ErrUnsigned, last)
}

// sameBOM checks that a verified statement signs exactly the BOM bytes.
// A statement about anything else is a failed signature check: its errors
// wrap attest.ErrSubjectMismatch, not ErrBadBOM (the BOM itself may be
// well formed).
func sameBOM(s *attest.Statement, bom []byte) error {
	if s.PredicateType != BOMPredicateType {
		return fmt.Errorf("%w: predicate type %s, want %q", attest.ErrSubjectMismatch, core.Excerpt(s.PredicateType), BOMPredicateType)
	}
	var pred json.RawMessage
	if err := s.DecodePredicate(&pred); err != nil {
		return fmt.Errorf("%w: predicate: %v", attest.ErrSubjectMismatch, err)
	}
	canon, err := core.CanonicalJSON(pred)
	if err != nil || !bytes.Equal(canon, bom) {
		return fmt.Errorf("%w: the signature covers another bill of materials of the same data", attest.ErrSubjectMismatch)
	}
	return nil
}

// CheckTree checks that the dataset's tree manifest lists exactly the
// files of its BOM, without reading the files' objects; it returns the
// tree. A mismatch is named in an error wrapping ErrFilesChanged.
func (d *Dataset) CheckTree(st *store.Store) (*core.Tree, error) {
	tree, err := st.GetTree(d.Tree)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w: tree %s: %w", d.Ref, ErrFilesChanged, d.Tree, err)
	}
	want := d.BOM.Entries
	for i, e := range tree.Entries {
		if i >= len(want) {
			return nil, fmt.Errorf("dataset %s: %w: file %s is not in the bill of materials", d.Ref, ErrFilesChanged, e.Path)
		}
		if e != want[i] {
			return nil, fmt.Errorf("dataset %s: %w: file %s differs from the bill of materials", d.Ref, ErrFilesChanged, want[i].Path)
		}
	}
	if len(want) > len(tree.Entries) {
		return nil, fmt.Errorf("dataset %s: %w: file %s is missing", d.Ref, ErrFilesChanged, want[len(tree.Entries)].Path)
	}
	return tree, nil
}

// CheckFiles compares what the store holds for the dataset with its BOM:
// the tree manifest must list exactly the BOM's files (CheckTree), each
// file's object must be there with its size, and with rehash every file
// object is reread and rehashed (in parallel). The first mismatching file
// is named in an error wrapping ErrFilesChanged.
func (d *Dataset) CheckFiles(ctx context.Context, st *store.Store, rehash bool) error {
	if _, err := d.CheckTree(st); err != nil {
		return err
	}
	want := d.BOM.Entries
	var g errgroup.Group
	g.SetLimit(st.Concurrency())
	errs := make([]error, len(want))
	for i, e := range want {
		if e.Kind != core.KindFile {
			continue
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				errs[i] = err
			} else if err := checkObject(st, e, rehash); err != nil {
				errs[i] = fmt.Errorf("dataset %s: %w: file %s (%s): %w", d.Ref, ErrFilesChanged, e.Path, e.Digest, err)
			}
			return nil
		})
	}
	g.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkObject checks one file object's presence and size, and with rehash
// its bytes.
func checkObject(st *store.Store, e core.TreeEntry, rehash bool) error {
	if rehash {
		return st.Verify(e.Digest)
	}
	n, err := st.Size(e.Digest)
	if err != nil {
		return err
	}
	if n != e.Size {
		return fmt.Errorf("%w: %d bytes, the bill of materials says %d", store.ErrCorrupt, n, e.Size)
	}
	return nil
}
