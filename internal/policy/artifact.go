package policy

import (
	"context"
	"fmt"
	"os"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// ArtifactDigest returns the digest lockstep records for the file or
// directory at path: a file's sha256, or a directory's tree digest (its
// model.sig left out, as the signed output lacked it). Nothing is stored;
// st may be nil (no lockstep home), giving the same digest.
func ArtifactDigest(ctx context.Context, st *store.Store, path string) (core.Digest, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		if err := core.CheckRegular(path); err != nil {
			return "", err
		}
	}
	if fi.IsDir() {
		opts := store.TreeOptions{Filter: func(rel string, isDir bool) bool { return rel != attest.ModelSignatureFile }}
		hash := store.HashDir
		if st != nil {
			hash = st.HashTree // the same digest, skipping files the hash cache knows
		}
		d, _, err := hash(ctx, path, opts)
		if err != nil {
			return "", fmt.Errorf("hash directory %s: %w", path, err)
		}
		return d, nil
	}
	return store.HashFile(ctx, path, nil)
}
