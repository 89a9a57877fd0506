package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCleanTempKeepsBusyStaging: a staging folder whose own mtime is old
// but whose worker folder a writer still uses is not cleaned away; once
// everything in it is old, it is.
func TestCleanTempKeepsBusyStaging(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), ".lockstep"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := newStaging(s.tmp, 2)
	if err != nil {
		t.Fatal(err)
	}
	w := st.dir(1)
	if err := os.WriteFile(filepath.Join(w, "obj-1"), []byte("x"), 0o444); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(st.root, old, old)
	if n, err := s.CleanTemp(time.Hour); err != nil || n != 0 {
		t.Fatalf("CleanTemp removed %d (%v) while a worker's folder was fresh", n, err)
	}
	os.Chtimes(w, old, old)
	if n, err := s.CleanTemp(time.Hour); err != nil || n != 1 {
		t.Fatalf("CleanTemp removed %d (%v), want the stale staging folder", n, err)
	}
	if _, err := os.Stat(st.root); !os.IsNotExist(err) {
		t.Fatalf("stale staging folder still there: %v", err)
	}
}
