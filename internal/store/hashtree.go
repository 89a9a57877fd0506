package store

import (
	"context"
	"fmt"
	"io"
	"os"

	"lockstep.dev/lockstep/internal/core"
)

// HashTree computes the digest PutTree would give dir without storing
// anything: files are hashed in parallel, and files the hash cache knows
// (and whose objects the store holds) are not read. For checking a
// directory against evidence, such as `lockstep verify DIR`.
func (s *Store) HashTree(ctx context.Context, dir string, opts TreeOptions) (core.Digest, *core.Tree, error) {
	known, done, err := s.knownObjects()
	if err != nil {
		return "", nil, fmt.Errorf("hash tree %s: %w", dir, err)
	}
	defer done()
	return hashTree(ctx, dir, opts, known)
}

// HashDir computes the same digest as HashTree without a store: every
// file is read. For checking a directory where no lockstep home exists,
// such as verifying an export on another machine.
func HashDir(ctx context.Context, dir string, opts TreeOptions) (core.Digest, *core.Tree, error) {
	return hashTree(ctx, dir, opts, nil)
}

// hashTree hashes dir, taking the digests known reports (nil: none).
func hashTree(ctx context.Context, dir string, opts TreeOptions, known knownDigest) (core.Digest, *core.Tree, error) {
	entries, jobs, err := scanTree(ctx, dir, opts, known)
	if err != nil {
		return "", nil, fmt.Errorf("hash tree %s: %w", dir, err)
	}
	err = forEach(ctx, len(jobs), func(ctx context.Context, i int) error {
		j := jobs[i]
		d, err := HashFile(ctx, j.path, opts.Progress)
		if err != nil {
			return fmt.Errorf("hash %s: %w", j.path, err)
		}
		// Each job owns its entry: no two workers write the same index.
		entries[j.idx].Digest, entries[j.idx].Size = d, j.key.size
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	tree := core.NewTree(entries)
	if err := checkLinks(tree); err != nil {
		return "", nil, fmt.Errorf("hash tree %s: %w", dir, err)
	}
	return core.DigestOf(treeJSON(tree)), tree, nil
}

// HashFile returns the digest of a file's bytes without storing them,
// streaming (progress, if not nil, is told how many bytes were read).
func HashFile(ctx context.Context, path string, progress func(int64)) (core.Digest, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	h := core.NewHash()
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(*bp)
		h.Write((*bp)[:n])
		if progress != nil && n > 0 {
			progress(int64(n))
		}
		if err == io.EOF {
			return core.DigestFromSum(h.Sum(nil)), nil
		}
		if err != nil {
			return "", err
		}
	}
}
