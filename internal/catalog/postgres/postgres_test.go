package postgres

import (
	"context"
	"os"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
	"lockstep.dev/lockstep/internal/catalog/postgres/pgtest"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
)

func TestMain(m *testing.M) {
	catalog.Register(Scheme, OpenURL)
	catalogtest.ActAsWriter()
	os.Exit(pgtest.Main(m))
}

func TestContract(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) string { return pgtest.FreshURL(t) })
}

// TestConcurrentProcesses has four processes and four goroutines, each
// with its own sessions, write one database at once, as lockstep runs on
// several hosts do.
func TestConcurrentProcesses(t *testing.T) {
	catalogtest.ConcurrentProcesses(t, pgtest.FreshURL(t), 4, 4)
}

// TestCopyFromSQLiteAndBack moves a laptop's catalog into PostgreSQL and
// back out: each copy verifies, and the round trip loses nothing.
func TestCopyFromSQLiteAndBack(t *testing.T) {
	ctx := context.Background()
	laptop := sqlite.OpenTemp(t)
	catalogtest.Fill(t, laptop)
	team := catalogtest.Open(t, pgtest.FreshURL(t))
	rep, err := catalog.Copy(ctx, laptop, team)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Runs.Verified != catalogtest.Filled.Runs.Copied || rep.Attestations.Verified != catalogtest.Filled.Attestations.Copied {
		t.Errorf("copy into PostgreSQL: %+v", *rep)
	}
	back := sqlite.OpenTemp(t)
	if _, err := catalog.Copy(ctx, team, back); err != nil {
		t.Fatal(err)
	}
	if rep, err := catalog.Copy(ctx, back, laptop); err != nil || rep.Runs.Copied != 0 || rep.Runs.Skipped != 4 {
		t.Errorf("the round trip changed something: %+v, %v", rep, err)
	}
}
