package maintain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/lock"
)

// Local names what a home keeps on this machine besides the store: task
// work folders and temp files, which runs and commands killed before they
// could clean up leave behind.
type Local struct {
	// WorkDir holds one folder per run (WORK/RUN/STEP-*) and shared trees.
	WorkDir string
	// TempDir holds temp files and folders of commands and backends.
	TempDir string
	// Lock is the store-wide lock every run and writing command holds shared.
	Lock lock.Locker
}

// Leftovers counts what CleanLeftovers removed.
type Leftovers struct {
	// WorkFolders are work folders of runs that no longer run.
	WorkFolders int `json:"work_folders_removed"`
	// TempFiles are temp files and folders nothing uses.
	TempFiles int `json:"temp_files_removed"`
}

// Grace periods: a temp entry younger than recentGrace may belong to a
// command that holds no lock (saving the hash cache, say); one older than
// staleAge belongs to nothing that is still running.
const (
	recentGrace = time.Minute
	staleAge    = time.Hour
)

// CleanLeftovers removes what dead runs and commands left on this machine.
// When the store lock is free (taken exclusively here without waiting, or
// already held by the caller: holding is true), nothing is in progress, so
// every work folder, every temp folder and every temp file older than a
// minute goes. When
// runs are in progress, only the work folders of runs the catalog does not
// list as running and temp entries older than an hour go. Call it after
// marking dead runs aborted.
func CleanLeftovers(ctx context.Context, cat catalog.Catalog, l Local, holding bool) (Leftovers, error) {
	var rep Leftovers
	idle := holding
	if !idle && l.Lock != nil {
		tryCtx, cancel := context.WithCancel(ctx)
		held, err := l.Lock.Exclusive(tryCtx, cancel) // give up rather than wait
		cancel()
		if err == nil {
			defer held.Unlock()
			idle = true
		} else if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	running := map[string]bool{}
	if !idle {
		rows, err := cat.RunningRuns(ctx)
		if err != nil {
			return rep, err
		}
		for _, r := range rows {
			running[r.ID] = true
		}
	}
	var err error
	if l.WorkDir != "" {
		rep.WorkFolders, err = cleanDir(l.WorkDir, func(e os.DirEntry, _ os.FileInfo) bool {
			// Run folders are named by run id; anything else (shared
			// trees) is a cache only an idle home may drop.
			if e.IsDir() && isRunID(e.Name()) {
				return !running[e.Name()]
			}
			return idle
		})
		if err != nil {
			return rep, err
		}
	}
	if l.TempDir != "" {
		age := staleAge
		if idle {
			age = recentGrace
		}
		cutoff := time.Now().Add(-age)
		rep.TempFiles, err = cleanDir(l.TempDir, func(e os.DirEntry, fi os.FileInfo) bool {
			// Commands and backends make temp folders only under the
			// lock; the files of lock-free writers live for milliseconds.
			return idle && e.IsDir() || fi.ModTime().Before(cutoff)
		})
	}
	return rep, err
}

// cleanDir removes the entries of dir that drop says to, counting them. A
// missing dir holds nothing.
func cleanDir(dir string, drop func(os.DirEntry, os.FileInfo) bool) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("clean %s: %w", dir, err)
	}
	n := 0
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !drop(e, fi) {
			continue // removed meanwhile, or kept
		}
		if err := removeAll(filepath.Join(dir, e.Name())); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// isRunID says whether name looks like a run id: 12 lowercase hex digits.
func isRunID(name string) bool {
	if len(name) != 12 {
		return false
	}
	for _, c := range name {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
