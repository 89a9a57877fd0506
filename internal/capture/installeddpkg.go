package capture

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// dpkgAdmin is dpkg's database folder and dpkgRoot the root its paths are
// relative to; tests point them at a made-up system.
var (
	dpkgAdmin = "/var/lib/dpkg"
	dpkgRoot  = "/"
)

// readDpkg adds the files of every dpkg package that installed a file
// under the interpreter's search path: their md5sums are what is
// expected of them, and their .list files say which paths they own (links
// and directories included, which md5sums leaves out).
func (v *verifier) readDpkg() error {
	info := filepath.Join(dpkgAdmin, "info")
	if st := v.depend(info); st.Mode == 0 {
		return nil
	}
	v.depend(filepath.Join(dpkgAdmin, "status"))
	entries, err := os.ReadDir(info)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".md5sums")
		if !ok {
			continue
		}
		sums, err := v.relevantSums(filepath.Join(info, e.Name()))
		if err != nil || sums == nil {
			continue // an unreadable md5sums of a package off the search path is not ours to judge
		}
		pkg, _, _ := strings.Cut(name, ":")
		v.depend(filepath.Join(info, e.Name()))
		for _, s := range sums {
			v.expect = append(v.expect, expectation{"dpkg", pkg, "", s.Path, s.Sum})
			v.owned[s.Path] = true
		}
		v.checked["dpkg:"+pkg] = true
		v.readDpkgList(filepath.Join(info, name+".list"))
	}
	return nil
}

// relevantSums parses one md5sums file and returns its entries, with paths
// under dpkgRoot, when one of them lies on the interpreter's search path;
// nil otherwise.
func (v *verifier) relevantSums(path string) ([]recordEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums, err := parseMD5Sums(f)
	if err != nil {
		return nil, err
	}
	relevant := false
	for i := range sums {
		sums[i].Path = filepath.Join(dpkgRoot, sums[i].Path)
		relevant = relevant || v.onSearchPath(sums[i].Path)
	}
	if !relevant {
		return nil, nil
	}
	return sums, nil
}

// onSearchPath reports whether p lies in one of the interpreter's sys.path
// directories.
func (v *verifier) onSearchPath(p string) bool {
	for _, dir := range v.interp.Paths {
		if strings.HasPrefix(p, dir) && len(p) > len(dir) && p[len(dir)] == '/' {
			return true
		}
	}
	return false
}

// readDpkgList marks every path one package's .list names as owned.
func (v *verifier) readDpkgList(path string) {
	v.depend(path)
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxMetaFile))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "/") {
			v.owned[filepath.Join(dpkgRoot, line)] = true
		}
	}
}
