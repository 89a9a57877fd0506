package capture

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// FileCheck is what re-hashing the interpreter's installed files found:
// every file a Python distribution's RECORD lists with a hash, and every
// file of a dpkg or rpm package that installed files under the
// interpreter's search path, compared with the digest its package manager
// wrote at install time.
// Any change to an installed file changes the environment record, so the
// task cache cannot hide it.
type FileCheck struct {
	// Packages counts the distributions and OS packages whose files were
	// compared; Files counts the files.
	Packages int `json:"packages"`
	Files    int `json:"files"`
	// Modified are files whose bytes differ from their package's record.
	Modified []ChangedFile `json:"modified,omitempty"`
	// Missing are files their package lists that are not there (or are
	// no longer regular files).
	Missing []ChangedFile `json:"missing,omitempty"`
	// Unverifiable are distributions with nothing to check against: no
	// RECORD (and no OS package owns them), or a malformed one; and rpm
	// packages whose recorded digests cannot be read.
	Unverifiable []Unverifiable `json:"unverifiable,omitempty"`
	// Unowned are files and links in site-packages directories that no
	// distribution's RECORD and no dpkg or rpm package lists, sorted; at
	// most MaxListed of them, UnownedTotal says how many there were.
	Unowned      []string `json:"unowned,omitempty"`
	UnownedTotal int      `json:"unowned_total,omitempty"`
}

// MaxListed bounds the Unowned list of a FileCheck, so that a site
// directory full of stray files cannot bloat every environment record.
const MaxListed = 1000

// ChangedFile is one installed file that is not what its package shipped.
type ChangedFile struct {
	// Manager is "pip" (checked against RECORD), "dpkg" (md5sums) or
	// "rpm" (the file digests in rpm's database).
	Manager string `json:"manager"`
	Package string `json:"package"`
	Version string `json:"version,omitempty"`
	Path    string `json:"path"`
	// Expected is the recorded digest, "sha256:<hex>", "md5:<hex>" (or
	// the sha1, sha224, sha384 or sha512 an rpm package may record);
	// Actual is the file's digest now, "" when it is missing.
	Expected string `json:"expected"`
	Actual   string `json:"actual,omitempty"`
}

// Unverifiable is a distribution whose files could not be checked.
type Unverifiable struct {
	Package string `json:"package"`
	Version string `json:"version,omitempty"`
	// Reason names the file and line at fault and what to do.
	Reason string `json:"reason"`
}

// Clean reports whether no installed file differs from its package's
// record and none is missing.
func (c *FileCheck) Clean() bool { return len(c.Modified) == 0 && len(c.Missing) == 0 }

// expectation is one file a package manager vouches for.
type expectation struct {
	manager, pkg, version, path, sum string
}

// verifier gathers one verification: the paths it depends on, what is
// expected of each installed file and which paths are owned.
type verifier struct {
	interp  *Interpreter
	old     map[string]int // path -> index in prev
	prev    *verifyState
	state   verifyState
	index   map[string]int // path -> index in state
	expect  []expectation
	owned   map[string]bool
	checked map[string]bool // packages whose files are compared
	res     installedResult
}

// verifyInstalled checks the installed files of interp's distributions
// (and of the dpkg and rpm packages that installed files on its search
// path), reusing the result remembered in cacheDir while nothing it read
// has changed.
func verifyInstalled(interp *Interpreter, cacheDir string) (installedResult, error) {
	key := fmt.Sprintf("%d\x00%s\x00%s", verifyCacheVersion, interp.Path, strings.Join(interp.Paths, "\x00"))
	start := Now()
	if res, ok := recentChecks.Get(key, start); ok {
		return res, nil
	}
	prev := loadVerifyState(cacheDir, key)
	if prev != nil && prev.unchanged() {
		recentChecks.Put(key, start, prev.Result)
		return prev.Result, nil
	}
	v := &verifier{interp: interp, prev: prev, index: map[string]int{}, owned: map[string]bool{}, checked: map[string]bool{},
		res: installedResult{Requires: map[string][]string{}, Archives: map[string]string{}}}
	v.state.Version = verifyCacheVersion
	if prev != nil {
		v.old = make(map[string]int, len(prev.Paths))
		for i, p := range prev.Paths {
			v.old[p] = i
		}
	}
	if err := v.readDpkg(); err != nil {
		return installedResult{}, err
	}
	if err := v.readRPM(); err != nil {
		return installedResult{}, err
	}
	if err := v.readDistributions(); err != nil {
		return installedResult{}, err
	}
	v.compare()
	if err := v.findUnowned(); err != nil {
		return installedResult{}, err
	}
	v.res.Check.Packages = len(v.checked)
	v.state.Result = v.res
	saveVerifyState(cacheDir, key, &v.state)
	recentChecks.Put(key, start, v.res)
	return v.res, nil
}

// depend records that the result depends on path as it is now, and
// returns its stamp.
func (v *verifier) depend(path string) inodeStamp {
	if i, ok := v.index[path]; ok {
		return v.state.Stamps[i]
	}
	st, _ := statStamp(path)
	v.index[path] = len(v.state.Paths)
	v.state.Paths = append(v.state.Paths, path)
	v.state.Stamps = append(v.state.Stamps, st)
	v.state.Sums = append(v.state.Sums, "")
	return st
}

// readDistributions reads, for every distribution Python sees (the first
// of each name along sys.path), its RECORD, requirements and archive
// digest.
func (v *verifier) readDistributions() error {
	seen := map[string]bool{}
	for _, dir := range v.interp.Paths {
		v.depend(dir)
		dists, err := distributionsIn(dir)
		if err != nil {
			return err
		}
		for _, d := range dists {
			pkg, ok, err := readDist(d.meta, filepath.Base(d.dir))
			if err != nil || !ok || seen[pkg.Name] {
				continue
			}
			seen[pkg.Name] = true
			v.depend(d.dir)
			v.depend(d.meta)
			v.readDistribution(d, pkg)
			v.owned[d.meta] = true
		}
	}
	for name, reqs := range v.res.Requires {
		reqs = slices.DeleteFunc(reqs, func(r string) bool { return !seen[r] || r == name })
		if len(reqs) == 0 {
			delete(v.res.Requires, name)
		} else {
			v.res.Requires[name] = reqs
		}
	}
	return nil
}

// distribution is one metadata directory (or egg-info file) on sys.path.
type distribution struct {
	site string // the directory RECORD paths are relative to
	dir  string // the .dist-info or .egg-info directory (or file)
	meta string // its METADATA or PKG-INFO
}

// distributionsIn lists the metadata directories of one sys.path entry as
// scanSite reads them.
func distributionsIn(dir string) ([]distribution, error) {
	if strings.HasSuffix(dir, ".egg") {
		return []distribution{{site: filepath.Dir(dir), dir: filepath.Join(dir, "EGG-INFO"), meta: filepath.Join(dir, "EGG-INFO", "PKG-INFO")}}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil // not a directory (a zip), or gone: nothing installed there
	}
	var out []distribution
	for _, e := range entries {
		n := filepath.Join(dir, e.Name())
		switch {
		case strings.HasSuffix(n, ".dist-info"):
			out = append(out, distribution{dir, n, filepath.Join(n, "METADATA")})
		case strings.HasSuffix(n, ".egg-info") && e.IsDir():
			out = append(out, distribution{dir, n, filepath.Join(n, "PKG-INFO")})
		case strings.HasSuffix(n, ".egg-info"):
			out = append(out, distribution{dir, n, n})
		}
	}
	return out, nil
}

// readDistribution reads one distribution's RECORD, requirements and
// direct_url.json. A distribution dpkg or rpm installed (its metadata is
// in an OS package) is checked against that package instead: a RECORD it
// ships was written before the OS's build stripped its binaries and
// moved its scripts.
func (v *verifier) readDistribution(d distribution, pkg Package) {
	if reqs := v.requirements(d); len(reqs) > 0 {
		v.res.Requires[pkg.Name] = reqs
	}
	if sum, err := readSmall(v, filepath.Join(d.dir, "direct_url.json"), parseDirectURL); err == nil && sum != "" {
		v.res.Archives[pkg.Name] = sum
	}
	if v.owned[d.meta] {
		return
	}
	record := filepath.Join(d.dir, "RECORD")
	entries, err := readSmall(v, record, parseRecord)
	switch {
	case os.IsNotExist(err) || (err == nil && len(entries) == 0):
		v.res.Check.Unverifiable = append(v.res.Check.Unverifiable, Unverifiable{pkg.Name, pkg.Version,
			fmt.Sprintf("%s has no RECORD of its files; reinstall it with pip (pip install --force-reinstall %s==%s) to record them", d.dir, pkg.Name, pkg.Version)})
		return
	case err != nil:
		v.res.Check.Unverifiable = append(v.res.Check.Unverifiable, Unverifiable{pkg.Name, pkg.Version,
			fmt.Sprintf("%s: %v; reinstall it with pip (pip install --force-reinstall %s==%s)", record, err, pkg.Name, pkg.Version)})
		return
	}
	v.owned[record] = true
	for _, e := range entries {
		p := e.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(d.site, p)
		}
		p = filepath.Clean(p)
		v.owned[p] = true
		if e.Sum != "" {
			v.expect = append(v.expect, expectation{"pip", pkg.Name, pkg.Version, p, e.Sum})
			v.checked["pip:"+pkg.Name] = true
		}
	}
}

// requirements returns the installed distributions d requires, sorted.
func (v *verifier) requirements(d distribution) []string {
	var names []string
	var err error
	if strings.HasSuffix(d.dir, ".dist-info") {
		names, err = readSmall(v, d.meta, parseRequiresDist)
	} else {
		names, err = readSmall(v, filepath.Join(d.dir, "requires.txt"), parseRequiresTxt)
	}
	if err != nil {
		return nil
	}
	sort.Strings(names)
	out := names[:0]
	for i, n := range names {
		if i == 0 || names[i-1] != n {
			out = append(out, n)
		}
	}
	return out
}

// readSmall opens path, records the dependency on it and parses it.
func readSmall[T any](v *verifier, path string, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	v.depend(path)
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	return parse(f)
}
