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
// model.sig left out, as the signed output lacked it). Nothing is stored.
func ArtifactDigest(ctx context.Context, st *store.Store, path string) (core.Digest, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.IsDir() {
		d, _, err := st.HashTree(ctx, path, store.TreeOptions{Filter: func(rel string, isDir bool) bool { return rel != attest.ModelSignatureFile }})
		if err != nil {
			return "", fmt.Errorf("hash directory %s: %w", path, err)
		}
		return d, nil
	}
	return store.HashFile(ctx, path, nil)
}
