package catalog

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// openTemp opens a fresh catalog in a temporary directory.
func openTemp(t testing.TB) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dg returns a distinct valid digest for a label.
func dg(label string) core.Digest { return core.DigestOf([]byte(label)) }

// at returns a fixed UTC time sec seconds after a base, with nanoseconds,
// so round trips show whether precision survives.
func at(sec int) time.Time {
	return time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC).Add(time.Duration(sec) * time.Second)
}

func TestOpenSetsPragmas(t *testing.T) {
	c := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"busy_timeout", "10000"},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
	} {
		var got string
		if err := c.db.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
		}
	}
}

func TestOpenCreatesParentDirectory(t *testing.T) {
	// Characters that mean something in a URI must still name the file.
	path := filepath.Join(t.TempDir(), "a b?x=1#%20", "b", "catalog.db")
	c, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Path() != path {
		t.Errorf("Path() = %s, want %s", c.Path(), path)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not at %s: %v", path, err)
	}
}

func TestOpenRejectsAFileThatIsNotACatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	if err := os.WriteFile(path, []byte("these are not the pages of a database, just text that is long enough\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "rebuild") {
		t.Fatalf("Open of a text file: err = %v, want an error naming %s and the fix", err, path)
	}
	t.Log(err)
}

func TestOpenTwiceAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		c, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		if i == 0 {
			if err := c.BeginRun(ctx, RunRow{ID: "r1", Flow: "f", Started: at(0)}); err != nil {
				t.Fatal(err)
			}
		}
		var n, latest int
		if err := c.db.QueryRowContext(ctx, "SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&n, &latest); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) || latest != ms[len(ms)-1].version {
			t.Errorf("open %d: %d migrations recorded up to %d, want %d up to %d", i+1, n, latest, len(ms), ms[len(ms)-1].version)
		}
		if _, err := c.Run(ctx, "r1"); err != nil {
			t.Errorf("open %d: run written before reopening: %v", i+1, err)
		}
		c.Close()
	}
}

func TestOpenNewerSchemaFails(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied) VALUES (9999, '9999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	_, err = Open(ctx, path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("open a newer catalog: err = %v, want ErrNewerSchema", err)
	}
	t.Log(err)
}

func TestOpenFreshFileConcurrently(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			c, err := Open(ctx, path)
			if err == nil {
				err = c.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
}

var update = flag.Bool("update", false, "rewrite testdata/migrations.golden")

// TestReleasedMigrationsAreUnchanged fails when a migration file is edited:
// databases in the field already applied it, so a schema change must be a
// new numbered file. Adding one needs -update.
func TestReleasedMigrationsAreUnchanged(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s %s\n", m.name, core.DigestOf([]byte(m.sql)))
	}
	golden := filepath.Join("testdata", "migrations.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("migrations differ from %s:\n%s\nwant\n%s", golden, b.String(), want)
	}
}
