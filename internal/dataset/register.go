package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// register stores the BOM and its signed bundle (if any, by the key with
// fingerprint signer), indexes the bundle under the tree and every file, and
// binds the name last.
func register(ctx context.Context, st *store.Store, cat catalog.Catalog, ref Ref, d core.Digest, tree *core.Tree,
	bom, bundle []byte, signer string) (bomDigest, bundleDigest core.Digest, err error) {
	if bomDigest, err = st.PutBytes(bom); err != nil {
		return "", "", fmt.Errorf("store bill of materials of %s: %w", ref, err)
	}
	if bundle != nil {
		if bundleDigest, err = storeBundle(ctx, st, cat, bundle, ref, d, tree, signer); err != nil {
			return "", "", err
		}
	}
	if err := cat.BindName(ctx, Kind, ref.String(), d, bomDigest); err != nil {
		if errors.Is(err, catalog.ErrNameTaken) {
			return "", "", fmt.Errorf("dataset %s: %w: %w", ref, ErrConflict, err)
		}
		return "", "", fmt.Errorf("bind dataset %s: %w", ref, err)
	}
	return bomDigest, bundleDigest, nil
}

// signBOM signs a dataset BOM; a nil signer signs nothing.
func signBOM(ctx context.Context, ref Ref, d core.Digest, tree *core.Tree, bom []byte, signer *attest.Signer) ([]byte, string, error) {
	if signer == nil {
		return nil, "", nil
	}
	b, err := attest.Sign(ctx, bomStatement(ref, d, tree, bom), signer)
	if err != nil {
		return nil, "", fmt.Errorf("sign bill of materials of %s: %w", ref, err)
	}
	return b, signer.PublicKey.Fingerprint(), nil
}

// bomStatement is the in-toto statement signing a dataset BOM: its subjects
// are the tree (named NAME@VERSION) and every file (named by its path).
func bomStatement(ref Ref, d core.Digest, tree *core.Tree, bom []byte) *attest.Statement {
	return attest.NewStatement(bomSubjects(ref, d, tree), BOMPredicateType, json.RawMessage(bom))
}

func bomSubjects(ref Ref, d core.Digest, tree *core.Tree) []attest.Subject {
	subjects := []attest.Subject{{Name: ref.String(), Digest: d}}
	for _, e := range tree.Entries {
		if e.Kind == core.KindFile {
			subjects = append(subjects, attest.Subject{Name: e.Path, Digest: e.Digest})
		}
	}
	return subjects
}

// storeBundle stores a signed BOM bundle and indexes it under the tree and
// every file.
func storeBundle(ctx context.Context, st *store.Store, cat catalog.Catalog, b []byte, ref Ref, d core.Digest,
	tree *core.Tree, signer string) (core.Digest, error) {
	bundle, err := st.PutBytes(b)
	if err != nil {
		return "", fmt.Errorf("store signed bill of materials of %s: %w", ref, err)
	}
	now := time.Now().UTC()
	for _, s := range bomSubjects(ref, d, tree) {
		row := catalog.AttestationRow{Bundle: bundle, Subject: s.Digest, SubjectName: s.Name,
			PredicateType: BOMPredicateType, Signer: signer, Created: now}
		if err := cat.PutAttestation(ctx, row); err != nil {
			return "", fmt.Errorf("index signed bill of materials of %s: %w", ref, err)
		}
	}
	return bundle, nil
}
