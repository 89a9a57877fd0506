package catalog_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
)

func TestMain(m *testing.M) {
	catalog.Register(sqlite.Scheme, sqlite.OpenURL)
	os.Exit(m.Run())
}

func TestOpenURLUnknownSchemeListsKnownOnes(t *testing.T) {
	_, err := catalog.OpenURL(context.Background(), "postgres://db.example/lockstep")
	if err == nil || !strings.Contains(err.Error(), `unknown scheme "postgres"`) || !strings.Contains(err.Error(), "known: sqlite") {
		t.Fatalf("err = %v, want one naming the scheme and the known ones", err)
	}
	t.Log(err)
}

func TestOpenURLPaths(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ location, file string }{
		{"sqlite://" + filepath.Join(dir, "a.db"), filepath.Join(dir, "a.db")},
		{filepath.Join(dir, "b.db"), filepath.Join(dir, "b.db")},
		// Not a scheme before "://": a path.
		{filepath.Join(dir, "c d://e.db"), filepath.Join(dir, "c d:", "e.db")},
	} {
		c, err := catalog.OpenURL(context.Background(), tc.location)
		if err != nil {
			t.Fatalf("OpenURL(%s): %v", tc.location, err)
		}
		c.Close()
		if _, err := os.Stat(tc.file); err != nil {
			t.Errorf("OpenURL(%s) made no database at %s: %v", tc.location, tc.file, err)
		}
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering sqlite twice did not panic")
		}
	}()
	catalog.Register(sqlite.Scheme, sqlite.OpenURL)
}

func TestSchemes(t *testing.T) {
	if got := strings.Join(catalog.Schemes(), ","); got != "sqlite" {
		t.Errorf("Schemes() = %s, want sqlite", got)
	}
}
