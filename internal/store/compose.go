package store

import (
	"context"
	"fmt"

	"lockstep.dev/lockstep/internal/core"
)

// ComposeTree stores the tree of entries, whose file objects the store
// must already hold (each is checked), and returns its digest. It builds a
// directory out of stored pieces, such as the outputs of several tasks
// gathered under one folder each, without reading a byte of them.
func (s *Store) ComposeTree(ctx context.Context, entries []core.TreeEntry) (core.Digest, *core.Tree, error) {
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return "", nil, err
		}
		if e.Kind != core.KindFile {
			continue
		}
		n, err := s.blob.Stat(ctx, e.Digest)
		if err != nil {
			return "", nil, fmt.Errorf("compose tree: entry %s: %w", e.Path, err)
		}
		if n != e.Size {
			return "", nil, fmt.Errorf("compose tree: entry %s: object %s holds %d bytes, not %d: %w", e.Path, e.Digest, n, e.Size, ErrCorrupt)
		}
	}
	tree := core.NewTree(entries)
	if err := tree.Validate(); err != nil {
		return "", nil, fmt.Errorf("compose tree: %w", err)
	}
	d, err := s.PutBytes(treeJSON(tree))
	if err != nil {
		return "", nil, fmt.Errorf("compose tree: %w", err)
	}
	return d, tree, nil
}
