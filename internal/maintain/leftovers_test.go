package maintain

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/lock"
)

func TestCleanLeftoversSparesWhatLiveRunsUse(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := sqlite.Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if err := cat.BeginRun(ctx, catalog.RunRow{ID: "aaaaaaaaaaaa", Flow: "f", Status: core.StatusRunning, Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	work, tmp := filepath.Join(dir, "work"), filepath.Join(dir, "tmp")
	for _, p := range []string{"work/aaaaaaaaaaaa/a-1", "work/bbbbbbbbbbbb/b-1", "work/trees/x", "tmp/exec-1", "tmp/old"} {
		if err := os.MkdirAll(filepath.Join(dir, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(tmp, "old"), old, old)
	l := Local{WorkDir: work, TempDir: tmp, Lock: lock.File(filepath.Join(dir, "gc.lock"))}

	// A run holds the lock: only the dead run's folder and old temp go.
	held, err := l.Lock.Shared(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CleanLeftovers(ctx, cat, l, false)
	held.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"work/aaaaaaaaaaaa": true, "work/bbbbbbbbbbbb": false, "work/trees": true, "tmp/exec-1": true, "tmp/old": false} {
		if _, err := os.Stat(filepath.Join(dir, p)); (err == nil) != want {
			t.Errorf("while a run holds the lock: %s exists=%v, want %v", p, err == nil, want)
		}
	}
	if rep != (Leftovers{WorkFolders: 1, TempFiles: 1}) {
		t.Errorf("report %+v", rep)
	}

	// Nothing holds the lock: every folder goes.
	if rep, err = CleanLeftovers(ctx, cat, l, false); err != nil {
		t.Fatal(err)
	}
	if rep != (Leftovers{WorkFolders: 2, TempFiles: 1}) {
		t.Errorf("idle report %+v, want the live run's folder, the trees and exec-1", rep)
	}
	if left, _ := os.ReadDir(work); len(left) != 0 {
		t.Errorf("work still holds %d entries", len(left))
	}
}
