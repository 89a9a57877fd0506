package store

import (
	"context"
	"fmt"
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
