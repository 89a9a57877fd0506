package dataset

import (
	"context"
	"fmt"
	"path/filepath"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
	"lockstep.dev/lockstep/internal/store"
)

// ingestDir stores the directory abs (p as the user gave it, shown as
// its URL) and then scans what was stored: every file's object, unless
// cache remembers the verdict on those bytes under the same scanner and
// options. Scanning the objects rather than the files scans exactly the
// bytes the dataset is made of, which is what makes remembering a verdict
// by digest sound. Unsafe content refuses the dataset (ErrUnsafeContent);
// its objects, bound to nothing, are left for gc.
func ingestDir(ctx context.Context, st *store.Store, abs, p, shown string, o AddOptions, cache *scan.Cache, memo *store.Memo) (*ingested, error) {
	d, tree, err := st.PutTree(ctx, abs, store.TreeOptions{Progress: o.Progress, Content: cache.ScanWhole(ctx)})
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", p, err)
	}
	reports, err := scanTree(ctx, st, abs, tree, o.Pickle, cache)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", p, err)
	}
	if err := memo.Save(); err != nil {
		return nil, err
	}
	scans, err := judge(reports)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", p, err)
	}
	in := &ingested{digest: d, tree: tree, scans: scans, source: Fetched{URL: shown}}
	in.source.Digest, in.source.Size = d, tree.Size()
	return in, nil
}

// scanTree scans the stored files of tree (ingested from dir) in
// parallel, each named by its tree path, taking verdicts cache remembers
// and remembering new ones. ONNX models are scanned from dir as well, where
// their external data files sit beside them.
func scanTree(ctx context.Context, st *store.Store, dir string, tree *core.Tree, pickle scan.PicklePolicy, cache *scan.Cache) ([]*scan.Report, error) {
	return scan.Entries(ctx, tree.Entries, cache, func(ctx context.Context, e core.TreeEntry) (*scan.Report, error) {
		r, err := scanObject(ctx, st, e.Digest, e.Size, e.Path, pickle)
		if err == nil && r.Format == "onnx" {
			r, err = scan.File(ctx, filepath.Join(dir, filepath.FromSlash(e.Path)), scan.Options{Pickle: pickle})
		}
		return r, err
	})
}
