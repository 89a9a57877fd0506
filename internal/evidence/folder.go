package evidence

import (
	"context"
	"os"
	"path/filepath"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Folder is a Sink that writes evidence as ordinary, writable files below
// Dir, materialised from the store St.
type Folder struct {
	St  *store.Store
	Dir string
}

var _ Sink = Folder{}

// File implements Sink.
func (f Folder) File(ctx context.Context, name string, d core.Digest) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	return f.St.MaterializeFile(ctx, d, p, store.MaterializeOptions{Writable: true})
}

// Tree implements Sink.
func (f Folder) Tree(ctx context.Context, name string, d core.Digest) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	return f.St.Materialize(ctx, d, p, store.MaterializeOptions{Writable: true})
}

// Bytes implements Sink.
func (f Folder) Bytes(_ context.Context, name string, b []byte) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}

// path is where name goes, its parent directory made.
func (f Folder) path(name string) (string, error) {
	p := filepath.Join(f.Dir, filepath.FromSlash(name))
	return p, os.MkdirAll(filepath.Dir(p), 0o755)
}

// ExportToFolder writes the evidence of run rec to dest, a new folder: it
// is filled as dest.partial and renamed to dest when complete, so dest
// never holds half the evidence.
func ExportToFolder(ctx context.Context, st *store.Store, cat catalog.Catalog, rec *core.RunRecord, tasks map[string]*core.TaskRecord, dest string) error {
	tmp := dest + ".partial"
	_ = os.RemoveAll(tmp)
	if err := Export(ctx, cat, rec, tasks, Folder{St: st, Dir: tmp}); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return os.Rename(tmp, dest)
}
