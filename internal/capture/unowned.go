package capture

import (
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// findUnowned lists the files and links in the interpreter's site
// directories that no distribution and no dpkg package owns. Metadata
// directories belong to their distribution, and a compiled
// __pycache__/mod.*.pyc belongs to whoever owns mod.py beside it.
func (v *verifier) findUnowned() error {
	var unowned []string
	walked := map[string]bool{}
	for _, dir := range v.interp.Paths {
		if base := filepath.Base(dir); base != "site-packages" && base != "dist-packages" || walked[dir] {
			continue
		}
		walked[dir] = true
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable or vanished: nothing to list
			}
			if isMetadata(d.Name()) && p != dir {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				v.depend(p)
				return nil
			}
			if !v.owned[p] && !v.compiledOwned(p) {
				unowned = append(unowned, p)
			}
			return nil
		})
	}
	sort.Strings(unowned)
	v.res.Check.UnownedTotal = len(unowned)
	if len(unowned) > MaxListed {
		unowned = unowned[:MaxListed]
	}
	v.res.Check.Unowned = unowned
	return nil
}

func isMetadata(name string) bool {
	return strings.HasSuffix(name, ".dist-info") || strings.HasSuffix(name, ".egg-info")
}

// compiledOwned reports whether p is a compiled __pycache__ file whose
// source file is owned.
func (v *verifier) compiledOwned(p string) bool {
	dir, name := filepath.Split(p)
	if filepath.Base(dir) != "__pycache__" || !strings.HasSuffix(name, ".pyc") {
		return false
	}
	mod, _, _ := strings.Cut(name, ".")
	return v.owned[filepath.Join(filepath.Dir(filepath.Clean(dir)), mod+".py")]
}
