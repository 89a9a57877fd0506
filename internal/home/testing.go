package home

import (
	"context"
	"path/filepath"
	"testing"
)

// OpenTemp opens a new home, with the embedded store and catalog, in a
// temporary folder of tb's and closes it when the test ends: the fixture
// for tests of packages that need a real store and catalog. The process
// environment does not reach it.
func OpenTemp(tb testing.TB) *Home {
	tb.Helper()
	h, err := Open(context.Background(), filepath.Join(tb.TempDir(), Dir), Options{Create: true, Getenv: func(string) string { return "" }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close() })
	return h
}
