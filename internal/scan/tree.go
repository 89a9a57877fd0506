package scan

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"sort"

	"golang.org/x/sync/errgroup"
)

// Tree scans every regular file under dir in parallel and returns the
// reports sorted by path. Symbolic links are not followed.
func Tree(ctx context.Context, dir string, opts Options) ([]*Report, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("scan tree %s: %w", dir, err)
	}
	sort.Strings(paths)
	reports := make([]*Report, len(paths))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range paths {
		g.Go(func() error {
			r, err := File(ctx, p, opts)
			reports[i] = r
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return reports, nil
}
