package sqlite

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
	"lockstep.dev/lockstep/internal/core"
)

// freshURL is the URL of a new catalog file in a temporary directory.
func freshURL(t *testing.T) string {
	return Scheme + "://" + filepath.Join(t.TempDir(), "catalog.db")
}

func TestContract(t *testing.T) {
	catalogtest.Run(t, freshURL)
}

// TestUpgrade opens a database left at each older schema version, which
// upgrades it, and runs the contract on the result.
func TestUpgrade(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for v := range ms[len(ms)-1].version {
		t.Run(fmt.Sprintf("from version %d", v), func(t *testing.T) {
			catalogtest.Run(t, func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "catalog.db")
				c, err := open(context.Background(), path, v)
				if err != nil {
					t.Fatal(err)
				}
				if got := schemaVersion(t, c); got != v {
					t.Fatalf("made a database at version %d, want %d", got, v)
				}
				c.Close()
				return Scheme + "://" + path
			})
		})
	}
}

// schemaVersion is the highest migration c's database has applied.
func schemaVersion(t *testing.T, c *Catalog) int {
	t.Helper()
	v, err := c.schemaVersion(context.Background(), math.MaxInt)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, loc := range []string{Scheme + "://" + filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")} {
		c, err := catalog.OpenURL(ctx, loc)
		if err != nil {
			t.Fatalf("OpenURL(%s): %v", loc, err)
		}
		if got := c.(*Catalog).Path(); !strings.HasSuffix(loc, got) {
			t.Errorf("OpenURL(%s) opened %s", loc, got)
		}
		c.Close()
	}
	if _, err := OpenURL(ctx, Scheme+"://"); err == nil || !strings.Contains(err.Error(), "sqlite://PATH") {
		t.Errorf("OpenURL without a path: err = %v, want one showing the form", err)
	}
	text := filepath.Join(dir, "text.db")
	if err := os.WriteFile(text, []byte("these are not the pages of a database, just text that is long enough\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := OpenURL(ctx, Scheme+"://"+text); err == nil || c != nil {
		t.Errorf("OpenURL of a text file = %v, %v; want no catalog and an error", c, err)
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	c := OpenTemp(t)
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
			if err := c.BeginRun(ctx, catalog.RunRow{ID: "r1", Flow: "f", Started: catalogtest.At(0)}); err != nil {
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
	if !errors.Is(err, catalog.ErrNewerSchema) {
		t.Fatalf("open a newer catalog: err = %v, want ErrNewerSchema", err)
	}
	t.Log(err)
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

// TestDeleteRunRemovesOutputs looks in the table the API cannot show:
// no output row of a deleted run is left behind.
func TestDeleteRunRemovesOutputs(t *testing.T) {
	c := OpenTemp(t)
	ctx := context.Background()
	rec := catalogtest.TaskRecord("f1", "train", 0, core.StatusSucceeded, "", "model", "metrics")
	if err := c.PutTask(ctx, rec, catalogtest.Digest("task")); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRun(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	var outputs int
	if err := c.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM task_outputs WHERE run = 'f1'").Scan(&outputs); err != nil || outputs != 0 {
		t.Errorf("outputs of f1 after DeleteRun: %d, %v", outputs, err)
	}
}

func FuzzResolveRun(f *testing.F) {
	catalogtest.FuzzResolveRun(f, OpenTemp(f))
}
