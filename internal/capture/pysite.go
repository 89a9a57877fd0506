package capture

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"lockstep.dev/lockstep/internal/hostcache"
)

// siteCache remembers the distributions found in each sys.path directory,
// valid while the directory's modification time stays the same: pip adds
// and removes whole metadata directories, which changes it.
var siteCache = struct {
	sync.Mutex
	m map[string]cachedSite
}{m: map[string]cachedSite{}}

type cachedSite struct {
	stamp fileStamp
	pkgs  []Package
}

// pythonPackages lists the distributions installed in the sys.path
// entries paths, in order; the first distribution of a name wins, as it
// does for Python's importlib.metadata. The result is sorted by name.
func pythonPackages(paths []string) ([]Package, error) {
	seen := map[string]bool{}
	var all []Package
	for _, p := range paths {
		pkgs, err := sitePackages(p)
		if err != nil {
			return nil, err
		}
		for _, pkg := range pkgs {
			if !seen[pkg.Name] {
				seen[pkg.Name] = true
				all = append(all, pkg)
			}
		}
	}
	sortPackages(all)
	if all == nil {
		all = []Package{}
	}
	return all, nil
}

// sitePackages returns the distributions of one sys.path entry, from the
// cache when the entry has not changed.
func sitePackages(dir string) ([]Package, error) {
	stamp, err := stampOf(dir)
	if err != nil {
		return nil, nil // vanished since sys.path was read: nothing there
	}
	siteCache.Lock()
	c, ok := siteCache.m[dir]
	siteCache.Unlock()
	if ok && c.stamp == stamp {
		return c.pkgs, nil
	}
	pkgs, err := hostcache.Remember(hostcache.Shared(), "site-packages\x00"+dir, []string{dir}, func() ([]Package, []string, error) {
		pkgs, err := scanSite(dir)
		return pkgs, nil, err
	})
	if err != nil {
		return nil, fmt.Errorf("list python packages in %s: %w", dir, err)
	}
	siteCache.Lock()
	siteCache.m[dir] = cachedSite{stamp, pkgs}
	siteCache.Unlock()
	return pkgs, nil
}

// scanSite reads every *.dist-info/METADATA and *.egg-info (directory with
// PKG-INFO, or a PKG-INFO file itself) in dir, in name order; an entry
// that is itself an unpacked .egg contributes its EGG-INFO/PKG-INFO.
// Zip files on sys.path are not looked into.
func scanSite(dir string) ([]Package, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, nil
	}
	if strings.HasSuffix(dir, ".egg") {
		pkg, ok, err := readDist(filepath.Join(dir, "EGG-INFO", "PKG-INFO"), strings.TrimSuffix(filepath.Base(dir), ".egg"))
		if err != nil || !ok {
			return nil, err
		}
		return []Package{pkg}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	seen := map[string]bool{}
	var pkgs []Package
	for _, e := range entries {
		var meta string
		switch n := e.Name(); {
		case strings.HasSuffix(n, ".dist-info"):
			meta = filepath.Join(dir, n, "METADATA")
		case strings.HasSuffix(n, ".egg-info") && e.IsDir():
			meta = filepath.Join(dir, n, "PKG-INFO")
		case strings.HasSuffix(n, ".egg-info"):
			meta = filepath.Join(dir, n)
		default:
			continue
		}
		pkg, ok, err := readDist(meta, e.Name())
		if err != nil {
			return nil, err
		}
		if ok && !seen[pkg.Name] {
			seen[pkg.Name] = true
			pkgs = append(pkgs, pkg)
		}
	}
	return pkgs, nil
}

// readDist reads one metadata file, falling back on the name and version
// in its directory's name for fields the file lacks; ok is false when
// neither says both.
func readDist(meta, dirName string) (Package, bool, error) {
	name, version := "", ""
	f, err := os.Open(meta)
	switch {
	case err == nil:
		name, version, err = parseDistMetadata(f)
		f.Close()
		if err != nil {
			return Package{}, false, fmt.Errorf("read %s: %w", meta, err)
		}
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.ENOTDIR):
	default:
		return Package{}, false, fmt.Errorf("read %s: %w", meta, err)
	}
	dn, dv := nameFromDirName(dirName)
	if name == "" {
		name = dn
	}
	if version == "" {
		version = dv
	}
	if name == "" || version == "" {
		return Package{}, false, nil
	}
	return Package{Name: normalizeName(name), Version: version}, true, nil
}
