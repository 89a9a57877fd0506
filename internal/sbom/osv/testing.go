package osv

import (
	"archive/zip"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// ZipDir packs the *.json files of dir into a zip archive shaped like an
// OSV export's all.zip, in a temporary folder of tb's, and returns its
// path: a fixture for tests of the import of exports.
func ZipDir(tb testing.TB, dir string) string {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(names)
	path := filepath.Join(tb.TempDir(), "all.zip")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		w, err := zw.Create(filepath.Base(n))
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}
