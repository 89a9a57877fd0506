package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// createTemp makes new files only, each its own, readable by its owner
// only; openPlain reports a missing file as fs.ErrNotExist with its path.
func TestCreateTempAndOpenPlain(t *testing.T) {
	dir := t.TempDir()
	seen := map[string]bool{}
	for range 50 {
		f, err := createTemp(dir, "obj-")
		if err != nil {
			t.Fatal(err)
		}
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		if seen[f.Name()] || filepath.Dir(f.Name()) != dir || fi.Mode().Perm() != 0o600 || fi.Size() != 0 {
			t.Fatalf("temp file %s (%v, %d bytes): want a new empty 0600 file in %s", f.Name(), fi.Mode(), fi.Size(), dir)
		}
		seen[f.Name()] = true
		if _, err := f.WriteString("x"); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	missing := filepath.Join(dir, "missing")
	if _, err := openPlain(missing, os.O_RDONLY, 0); !errors.Is(err, fs.ErrNotExist) || err.Error() != "open "+missing+": no such file or directory" {
		t.Fatalf("open of a missing file: %v", err)
	}
}
