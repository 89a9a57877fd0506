package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
	"lockstep.dev/lockstep/internal/catalog/sqldb"
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
	latest, err := sqldb.Latest()
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v < latest; v++ {
		t.Run(fmt.Sprintf("from version %d", v), func(t *testing.T) {
			catalogtest.Run(t, func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "catalog.db")
				c, err := open(context.Background(), path, v)
				if err != nil {
					t.Fatal(err)
				}
				if got, err := c.SchemaVersion(context.Background()); err != nil || got != v {
					t.Fatalf("made a database at version %d (%v), want %d", got, err, v)
				}
				c.Close()
				return Scheme + "://" + path
			})
		})
	}
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
		if err := c.DB().QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
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

func FuzzResolveRun(f *testing.F) {
	catalogtest.FuzzResolveRun(f, OpenTemp(f))
}
