package capture

import (
	"os"
	"slices"

	"lockstep.dev/lockstep/internal/hostcache"
)

// inspectInstalled adds to env what the interpreter's packages' own files
// say: its distributions' requirements and archive digests and the verification of its installed
// files (see FileCheck).
func inspectInstalled(env *Environment, cacheDir string) error {
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

// dpkgRelations returns the resolved Depends of the installed packages
// in dpkg's status file at path; nil when it cannot be read.
func dpkgRelations(path string) map[string][]string {
	// Every process would otherwise parse the whole status file again:
	// the relations are remembered for the host too, valid while the
	// file keeps its identity.
	deps, err := hostcache.Remember(hostcache.Shared(), "dpkg-relations\x00"+path, []string{path}, func() (map[string][]string, []string, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		deps, err := parseDpkgRelations(f)
		return deps, nil, err
	})
	if err != nil {
		return nil
	}
	return deps
}
