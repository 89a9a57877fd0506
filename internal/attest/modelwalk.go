package attest

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// modelFile is one regular file of a model directory.
type modelFile struct {
	rel  string // slash-separated, relative to the model root
	full string
	size int64
}

// cleanIgnorePaths checks and normalises ignore paths: each must be a
// relative path inside the model ("a/b"), not the model itself.
func cleanIgnorePaths(paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	seen := map[string]bool{}
	for _, p := range paths {
		c := path.Clean(filepath.ToSlash(p))
		if c == "." || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
			return nil, fmt.Errorf("ignore path %s: want a path inside the model directory, like \"logs\" or \"a/b.txt\"", core.Excerpt(p))
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// ignored reports whether rel is one of ignore or lies under one of them.
func ignored(rel string, ignore []string) bool {
	for _, p := range ignore {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}

// listModelFiles walks dir and returns its regular files, skipping ignored
// paths. A symbolic link is an error unless allowSymlinks is set, in which
// case a link to a regular file counts as that file; other special files
// are always errors.
func listModelFiles(dir string, ignore []string, allowSymlinks bool) ([]modelFile, error) {
	var files []modelFile
	err := filepath.WalkDir(dir, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, full)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if ignored(rel, ignore) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			if !allowSymlinks {
				return fmt.Errorf("%s is a symbolic link: a signed model holds regular files only (replace the link with the file, or list it in the ignore paths)", rel)
			}
			if info, err = os.Stat(full); err != nil {
				return err
			}
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file (%s)", rel, info.Mode().Type())
		}
		files = append(files, modelFile{rel: rel, full: full, size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list model %s: %w", dir, err)
	}
	return files, nil
}

// lessPosixPath orders slash-separated paths component by component, as
// Python's PurePosixPath does: "a/b" sorts before "a-b".
func lessPosixPath(a, b string) bool {
	return comparePosixPath(a, b) < 0
}

func comparePosixPath(a, b string) int {
	for {
		ai, bi := strings.IndexByte(a, '/'), strings.IndexByte(b, '/')
		ah, bh := a, b
		if ai >= 0 {
			ah = a[:ai]
		}
		if bi >= 0 {
			bh = b[:bi]
		}
		if c := strings.Compare(ah, bh); c != 0 {
			return c
		}
		switch {
		case ai < 0 && bi < 0:
			return 0
		case ai < 0:
			return -1
		case bi < 0:
			return 1
		}
		a, b = a[ai+1:], b[bi+1:]
	}
}
