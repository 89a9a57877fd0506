package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

func TestWalkReportsStrays(t *testing.T) {
	s := newStore(t)
	d, _ := s.PutBytes([]byte("an object"))
	stray := filepath.Join(filepath.Dir(s.files.ObjectFile(d)), "not-an-object")
	if err := os.WriteFile(stray, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var seen []core.Digest
	err := s.Walk(context.Background(), func(d core.Digest, size int64) error {
		seen = append(seen, d)
		return nil
	})
	var se *StrayFilesError
	if !errors.As(err, &se) || len(se.Paths) != 1 || !strings.HasSuffix(se.Paths[0], "not-an-object") {
		t.Fatalf("Walk err = %v, want one stray file", err)
	}
	if len(seen) != 1 || seen[0] != d {
		t.Fatalf("Walk saw %v, want [%s]", seen, d)
	}
}

func TestRemoveAndCleanTemp(t *testing.T) {
	s := newStore(t)
	d, _ := s.PutBytes([]byte("garbage"))
	if err := s.Remove(d); err != nil || s.Has(d) {
		t.Fatalf("Remove: %v; Has after = %v", err, s.Has(d))
	}
	old := filepath.Join(s.tmp, "obj-old")
	fresh := filepath.Join(s.tmp, "obj-fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	n, err := s.CleanTemp(time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("CleanTemp = %d, %v; want 1", n, err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Error("old temp file still there")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("fresh temp file removed")
	}
}
