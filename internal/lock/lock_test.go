package lock

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestSharedHoldersBlockExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	ctx := context.Background()
	a, err := Shared(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Shared(ctx, path)
	if err != nil {
		t.Fatal("two shared holders must coexist:", err)
	}
	waited := false
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := Exclusive(short, path, func() { waited = true }); err == nil {
		t.Fatal("exclusive lock taken while shared holders exist")
	}
	if !waited {
		t.Fatal("waiting callback not called")
	}
	a.Unlock()
	b.Unlock()
	x, err := Exclusive(ctx, path, nil)
	if err != nil {
		t.Fatal("exclusive after release:", err)
	}
	short2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := Shared(short2, path); err == nil {
		t.Fatal("shared lock taken while exclusive held")
	}
	x.Unlock()
}
