package attest

import (
	"context"
	"fmt"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// StoredBundle is one bundle the catalog indexes under a subject, with its
// bytes as the store's verifying reader returned them.
type StoredBundle struct {
	Row catalog.AttestationRow
	// Bytes is the bundle, nil when Err is set.
	Bytes []byte
	// Err says why the bundle could not be read: missing, corrupt (the
	// error names the digest) or longer than MaxBundleSize.
	Err error
}

// Stored returns every bundle of predicateType that the catalog indexes
// under subject, oldest first, each read through the store's verifying
// reader. It is the one lookup of stored attestations: verify, policy and
// the dataset checks all find bundles with it. A bundle that cannot be read
// is returned with Err set, so the caller decides whether that fails a
// check or the whole command; only a catalog failure is an error.
func Stored(ctx context.Context, st *store.Store, cat catalog.Catalog, subject core.Digest, predicateType string) ([]StoredBundle, error) {
	rows, err := StoredRows(ctx, cat, subject, predicateType)
	if err != nil {
		return nil, err
	}
	out := make([]StoredBundle, len(rows))
	for i, r := range rows {
		b, err := ReadBundle(st, r.Bundle)
		out[i] = StoredBundle{Row: r, Bytes: b, Err: err}
	}
	return out, nil
}

// StoredRows returns the catalog's rows of predicateType about subject,
// oldest first, without reading the bundles.
func StoredRows(ctx context.Context, cat catalog.Catalog, subject core.Digest, predicateType string) ([]catalog.AttestationRow, error) {
	rows, err := cat.Attestations(ctx, subject)
	if err != nil {
		return nil, fmt.Errorf("attestations of %s: %w", subject, err)
	}
	out := rows[:0]
	for _, r := range rows {
		if r.PredicateType == predicateType {
			out = append(out, r)
		}
	}
	return out, nil
}

// ReadBundle reads stored bundle object d through the store's verifying
// reader, refusing one longer than MaxBundleSize.
func ReadBundle(st *store.Store, d core.Digest) ([]byte, error) {
	r, err := st.Open(d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return core.ReadLimited(r, MaxBundleSize, "bundle "+d.String())
}
