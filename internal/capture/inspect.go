package capture

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// inspectInstalled adds to env what the packages' own files say: dpkg's
// dependency relations, and for the interpreter its distributions'
// requirements and archive digests and the verification of its installed
// files (see FileCheck).
func inspectInstalled(env *Environment, cacheDir string) error {
	if env.OSPackages != nil && env.OSPackages.Manager == "dpkg" {
		env.OSPackages.Depends = dpkgRelations()
	}
	if env.Interpreter == nil {
		return nil
	}
	res, err := verifyInstalled(env.Interpreter, cacheDir)
	if err != nil {
		return err
	}
	check := res.Check
	check.Modified = withVersions(check.Modified, env.OSPackages)
	check.Missing = withVersions(check.Missing, env.OSPackages)
	env.Files = &check
	if len(res.Requires) > 0 {
		env.Interpreter.Requires = res.Requires
	}
	if len(res.Archives) > 0 {
		env.Interpreter.Archives = res.Archives
	}
	return nil
}

// withVersions returns files with the version of each dpkg package filled
// in from set.
func withVersions(files []ChangedFile, set *PackageSet) []ChangedFile {
	if len(files) == 0 || set == nil {
		return files
	}
	files = slices.Clone(files)
	for i, f := range files {
		if f.Manager != set.Manager || f.Version != "" {
			continue
		}
		if j := slices.IndexFunc(set.Packages, func(p Package) bool { return p.Name == f.Package }); j >= 0 {
			files[i].Version = set.Packages[j].Version
		}
	}
	return files
}

// relationsCache keeps the dpkg relations while the status file's size
// and modification time stay the same.
var relationsCache struct {
	sync.Mutex
	stamp fileStamp
	deps  map[string][]string
}

// dpkgRelations returns the resolved Depends of dpkg's installed packages;
// nil when the status file cannot be read.
func dpkgRelations() map[string][]string {
	path := filepath.Join(dpkgAdmin, "status")
	stamp, err := stampOf(path)
	if err != nil {
		return nil
	}
	relationsCache.Lock()
	defer relationsCache.Unlock()
	if relationsCache.deps != nil && relationsCache.stamp == stamp {
		return relationsCache.deps
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	deps, err := parseDpkgRelations(f)
	if err != nil {
		return nil
	}
	relationsCache.stamp, relationsCache.deps = stamp, deps
	return deps
}
