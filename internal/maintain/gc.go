package maintain

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/lock"
	"lockstep.dev/lockstep/internal/store"
)

// GCOptions say what gc keeps.
type GCOptions struct {
	// KeepLast keeps only the newest N finished runs (<= 0 keeps every run).
	KeepLast int
	// DryRun reports what would be freed without removing anything.
	DryRun bool
	// Lock is the store-wide lock (the home's); gc holds it exclusively.
	Lock lock.Locker
	// Waiting is called if runs in progress hold the lock.
	Waiting func()
	// WorkDir is the folder of task work folders and shared trees, a
	// cache of the store that gc empties ("" leaves it alone).
	WorkDir string
	// TempDir is the home's folder of temp files, emptied of what nothing
	// uses ("" leaves it alone).
	TempDir string
	// UploadsOlderThan is the age from which an upload that was never
	// completed (parts a killed writer left on an S3 service) is aborted;
	// 0 means DefaultUploadAge.
	UploadsOlderThan time.Duration
}

// DefaultUploadAge is the age from which gc aborts an upload that was
// never completed: a day, well beyond the time any upload takes.
const DefaultUploadAge = 24 * time.Hour

// GCReport says what gc freed (or would free).
type GCReport struct {
	DroppedRuns []string `json:"dropped_runs"`
	Objects     int      `json:"objects_removed"`
	Bytes       int64    `json:"bytes_freed"`
	Kept        int      `json:"objects_kept"`
	// Uploads counts the abandoned uploads aborted (or, in a dry run,
	// that would be).
	Uploads int  `json:"uploads_aborted"`
	DryRun  bool `json:"dry_run"`
}

// GC removes the objects that no kept run, name or attestation reaches. It
// waits for runs in progress to finish (they hold the store lock shared), so
// it never removes an object a running run may still read or write.
func GC(ctx context.Context, st *store.Store, cat catalog.Catalog, opts GCOptions) (*GCReport, error) {
	held, err := opts.Lock.Exclusive(ctx, opts.Waiting)
	if err != nil {
		return nil, err
	}
	defer held.Unlock()
	rep := &GCReport{DryRun: opts.DryRun}
	if opts.KeepLast > 0 {
		if rep.DroppedRuns, err = droppedRuns(ctx, cat, opts.KeepLast); err != nil {
			return nil, err
		}
	}
	if !opts.DryRun {
		for _, id := range rep.DroppedRuns {
			if err := cat.DeleteRun(ctx, id); err != nil {
				return nil, err
			}
		}
	}
	roots, err := cat.Roots(ctx, opts.KeepLast)
	if err != nil {
		return nil, err
	}
	live, _ := mark(st, roots)
	rep.Kept = len(live)
	err = st.Walk(ctx, func(d core.Digest, size int64) error {
		if live[d] {
			return nil
		}
		rep.Objects++
		rep.Bytes += size
		if opts.DryRun {
			return nil
		}
		// A lock kept on a server can be lost; then a run may be writing.
		if err := held.Err(); err != nil {
			return err
		}
		return st.Remove(d)
	})
	if err != nil {
		return rep, fmt.Errorf("sweep: %w", err)
	}
	age := opts.UploadsOlderThan
	if age <= 0 {
		age = DefaultUploadAge
	}
	if rep.Uploads, err = st.AbortUploads(ctx, age, opts.DryRun); err != nil {
		return rep, fmt.Errorf("abandoned uploads: %w", err)
	}
	if !opts.DryRun {
		// Materialised trees are a cache of the store; no run holds them now.
		if _, err := CleanLeftovers(ctx, cat, Local{WorkDir: opts.WorkDir, TempDir: opts.TempDir}, true); err != nil {
			return rep, err
		}
		if _, err := st.CleanTemp(time.Hour); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// droppedRuns lists finished runs older than the newest keep.
func droppedRuns(ctx context.Context, cat catalog.Catalog, keep int) ([]string, error) {
	rows, err := cat.Runs(ctx, 0)
	if err != nil {
		return nil, err
	}
	var dropped []string
	finished := 0
	for _, r := range rows {
		if r.Status == core.StatusRunning {
			continue
		}
		finished++
		if finished > keep {
			dropped = append(dropped, r.ID)
		}
	}
	return dropped, nil
}

// removeAll deletes a folder whose files may be read-only.
func removeAll(dir string) error {
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clean %s: %w", dir, err)
	}
	return nil
}
