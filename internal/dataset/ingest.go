package dataset

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
	"lockstep.dev/lockstep/internal/store"
)

// ingested is a source copied into the store and scanned, not yet bound.
type ingested struct {
	digest core.Digest
	tree   *core.Tree
	source Fetched
	scans  map[string]FileScan // by tree path
}

// ingest copies src (a local path, file://, http(s):// or s3:// URL) into
// the store as a tree and scans every file. A single file becomes a tree
// of one entry. Unsafe files refuse the ingest (ErrUnsafeContent).
func ingest(ctx context.Context, st *store.Store, src string, o AddOptions) (*ingested, error) {
	if !IsURL(src) {
		return ingestPath(ctx, st, src, "", o)
	}
	u, err := url.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("source %q: %w: %v", src, ErrUnsafeSource, err)
	}
	if u.Scheme == "file" {
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("source %s: %w: a file:// URL must name a local path (file:///abs/path)", src, ErrUnsafeSource)
		}
		return ingestPath(ctx, st, u.Path, src, o)
	}
	f, err := fetchURL(ctx, st, src, fetchOptions{maxSize: maxOr(o.MaxSize), client: o.HTTPClient})
	if err != nil {
		return nil, err
	}
	name := fileName(u)
	rep, err := scanObject(ctx, st, f.Digest, f.Size, name, o.Pickle)
	if err != nil {
		return nil, err
	}
	scans, err := judge([]*scan.Report{rep})
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", src, err)
	}
	in := &ingested{source: *f, scans: scans}
	in.tree = core.NewTree([]core.TreeEntry{{Path: name, Kind: core.KindFile, Mode: 0o644, Size: f.Size, Digest: f.Digest}})
	if in.digest, err = st.PutJSON(in.tree); err != nil {
		return nil, fmt.Errorf("store tree of %s: %w", src, err)
	}
	return in, nil
}

// ingestPath scans and stores a local file or directory. shown is the URL
// to record ("" records the path as a file:// URL).
func ingestPath(ctx context.Context, st *store.Store, p, shown string, o AddOptions) (*ingested, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", p, err)
	}
	if shown == "" {
		shown = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	sopts := scan.Options{Pickle: o.Pickle}
	if memo := st.Memo("scan"); memo != nil && fi.IsDir() {
		return ingestDir(ctx, st, abs, p, shown, o, scan.NewCache(memo, sopts), memo)
	}
	var reports []*scan.Report
	if fi.IsDir() {
		reports, err = scan.Tree(ctx, abs, sopts)
	} else {
		var r *scan.Report
		r, err = scan.File(ctx, abs, sopts)
		reports = []*scan.Report{r}
	}
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", p, err)
	}
	for _, r := range reports {
		r.Path = treePath(abs, r.Path, fi.IsDir())
	}
	scans, err := judge(reports)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", p, err)
	}
	in := &ingested{scans: scans, source: Fetched{URL: shown}}
	if fi.IsDir() {
		in.digest, in.tree, err = st.PutTree(ctx, abs, store.TreeOptions{Progress: o.Progress})
		if err != nil {
			return nil, fmt.Errorf("ingest %s: %w", p, err)
		}
		in.source.Digest, in.source.Size = in.digest, in.tree.Size()
		return in, nil
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("source %s: %w: not a regular file or directory", p, ErrUnsafeSource)
	}
	d, n, err := st.PutFile(ctx, abs)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", p, err)
	}
	mode := uint32(0o644)
	if fi.Mode()&0o100 != 0 {
		mode = 0o755
	}
	in.source.Digest, in.source.Size = d, n
	in.tree = core.NewTree([]core.TreeEntry{{Path: filepath.Base(abs), Kind: core.KindFile, Mode: mode, Size: n, Digest: d}})
	if in.digest, err = st.PutJSON(in.tree); err != nil {
		return nil, fmt.Errorf("store tree of %s: %w", p, err)
	}
	return in, nil
}

// treePath names a scanned file by its path in the dataset's tree.
func treePath(root, p string, isDir bool) string {
	if !isDir {
		return filepath.Base(root)
	}
	if filepath.IsAbs(p) {
		if rel, err := filepath.Rel(root, p); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(p)
}

// scanObject scans a stored object, reporting it under name. The object is
// verified against its digest before it is scanned.
func scanObject(ctx context.Context, st *store.Store, d core.Digest, size int64, name string, pickle scan.PicklePolicy) (*scan.Report, error) {
	f, err := st.OpenReaderAt(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", name, err)
	}
	defer f.Close()
	r, err := scan.Reader(ctx, name, f, size, scan.Options{Pickle: pickle})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", name, err)
	}
	return r, nil
}
