package lock

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestSharedHoldersBlockExclusive(t *testing.T) {
	var l Locker = File(filepath.Join(t.TempDir(), "lock"))
	ctx := context.Background()
	a, err := l.Shared(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Shared(ctx)
	if err != nil {
		t.Fatal("two shared holders must coexist:", err)
	}
	waited := false
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := l.Exclusive(short, func() { waited = true }); err == nil {
		t.Fatal("exclusive lock taken while shared holders exist")
	}
	if !waited {
		t.Fatal("waiting callback not called")
	}
	a.Unlock()
	b.Unlock()
	x, err := l.Exclusive(ctx, nil)
	if err != nil {
		t.Fatal("exclusive after release:", err)
	}
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := l.Shared(short2); err == nil {
		t.Fatal("shared lock taken while exclusive held")
	}
	if err := x.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := x.Unlock(); err != nil {
		t.Errorf("a second Unlock: %v, want nothing", err)
	}
	if _, err := l.Shared(ctx); err != nil {
		t.Errorf("shared after the exclusive holder unlocked: %v", err)
	}
}

func TestExclusiveFreeLockDoesNotWait(t *testing.T) {
	l := File(filepath.Join(t.TempDir(), "lock"))
	x, err := l.Exclusive(context.Background(), func() { t.Error("waiting called for a free lock") })
	if err != nil {
		t.Fatal(err)
	}
	x.Unlock()
}

func TestFileInMissingFolderFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "lock")
	if _, err := File(path).Shared(context.Background()); err == nil {
		t.Fatalf("a lock in a missing folder was taken")
	}
}
