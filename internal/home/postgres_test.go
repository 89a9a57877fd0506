package home

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog/postgres"
	"lockstep.dev/lockstep/internal/catalog/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestHomesSharingAPostgreSQLCatalogShareTheLock opens two homes, as two
// hosts would, on one PostgreSQL catalog: a run holding the lock in one
// keeps gc in the other waiting, though their home folders differ.
func TestHomesSharingAPostgreSQLCatalogShareTheLock(t *testing.T) {
	ctx := context.Background()
	url := pgtest.FreshURL(t)
	open := func() *Home {
		h, err := Open(ctx, filepath.Join(t.TempDir(), Dir), Options{Create: true, Getenv: env(map[string]string{CatalogEnv: url})})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return h
	}
	laptop, builder := open(), open()
	if _, ok := laptop.Catalog.(*postgres.Catalog); !ok {
		t.Fatalf("LOCKSTEP_CATALOG=%s opened a %T", url, laptop.Catalog)
	}
	run, err := laptop.HoldShared(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if x, err := builder.Lock().Exclusive(short, nil); err == nil {
		x.Unlock()
		t.Fatal("gc in one home took the lock while a run in the other held it")
	}
	run.Unlock()
	x, err := builder.Lock().Exclusive(ctx, nil)
	if err != nil {
		t.Fatalf("gc after the run released the lock: %v", err)
	}
	x.Unlock()
	if _, err := os.Stat(laptop.LockPath()); err == nil {
		t.Errorf("a lock file was made in %s beside the shared lock", laptop.Root)
	}
}
