package store

import (
	"context"
	"fmt"
	"os"

	"lockstep.dev/lockstep/internal/core"
)

// remoteWorkers is how many objects move at once to or from a backend
// without local files: each transfer waits on the network more than on
// a CPU.
const remoteWorkers = 16

// uploadAll puts the hashed temp copies of a tree's files into a backend
// without local files, remoteWorkers at a time, removing each copy once
// it is stored.
func (s *Store) uploadAll(ctx context.Context, jobs []fileJob, results []ingested) error {
	return forEachN(ctx, remoteWorkers, len(results), func(ctx context.Context, i int) error {
		in := &results[i]
		if in.src == "" {
			return nil
		}
		if _, err := s.install(ctx, in.src, in.d, in.n); err != nil {
			return fmt.Errorf("%s: %w", jobs[i].path, err)
		}
		in.src = ""
		return nil
	})
}

// placeAll runs place for every index below n: in order with local files,
// remoteWorkers at a time otherwise, so that downloads overlap.
func (s *Store) placeAll(ctx context.Context, n int, place func(ctx context.Context, i int) error) error {
	if s.files != nil {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := place(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	return forEachN(ctx, remoteWorkers, n, place)
}

// fetcher is the optional capability of a blob without local files
// (store/s3) to write an object into a file by several ranged reads at
// once, checking the whole object against its digest.
type fetcher interface {
	FetchTo(ctx context.Context, d core.Digest, f *os.File) (int64, error)
}

// fetchCopy writes object d into the empty file f through the backend's
// FetchTo, when it has one and the read cache is not to keep the bytes
// (a writable copy) or holds them already; it reports false when the
// caller should read the object itself.
func (s *Store) fetchCopy(ctx context.Context, d core.Digest, f *os.File, cache bool) (bool, error) {
	b := s.blob
	if c, ok := b.(*readCache); ok {
		if cache || c.has(d) {
			return false, nil
		}
		b = c.Blob
	}
	fb, ok := b.(fetcher)
	if !ok {
		return false, nil
	}
	if _, err := fb.FetchTo(ctx, d, f); err != nil {
		return true, fmt.Errorf("copy object %s: %w", d, err)
	}
	return true, nil
}
