package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// OpenTemp opens a new, empty catalog in a temporary folder of tb's and
// closes it when the test ends: a fixture for the tests of packages that
// need a real catalog.
func OpenTemp(tb testing.TB) *Catalog {
	tb.Helper()
	c, err := Open(context.Background(), filepath.Join(tb.TempDir(), "catalog.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}
