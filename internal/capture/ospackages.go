package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"sort"
	"sync"
	"time"

	"lockstep.dev/lockstep/internal/hostcache"
)

// packageDB is one package manager's database: the file (or directory)
// whose change means the package list changed, and how to list it.
type packageDB struct {
	manager string
	path    string
	list    func(ctx context.Context, path string) ([]Package, error)
}

// packageDBs are tried in order; the first whose database exists wins.
var packageDBs = []packageDB{
	{"dpkg", "/var/lib/dpkg/status", parseFile(parseDpkgStatus)},
	{"apk", "/lib/apk/db/installed", parseFile(parseApkInstalled)},
	{"rpm", "/var/lib/rpm", listRPM},
	{"rpm", "/usr/lib/sysimage/rpm", listRPM},
}

// parseFile adapts a streaming parser to a packageDB lister.
func parseFile(parse func(io.Reader) ([]Package, error)) func(context.Context, string) ([]Package, error) {
	return func(_ context.Context, path string) ([]Package, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return parse(f)
	}
}

// listRPM asks rpm, which is the only reader of its database formats.
func listRPM(ctx context.Context, _ string) ([]Package, error) {
	rpm, err := exec.LookPath("rpm")
	if err != nil {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, rpm, "-qa", "--queryformat", `%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\n`)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pkgs, perr := parseRPMList(out)
	if perr != nil {
		io.Copy(io.Discard, out)
	}
	if err := cmd.Wait(); err != nil {
		return nil, err
	}
	return pkgs, perr
}

// osPackageCache remembers the last list read from each database, valid
// while the database's size and modification time stay the same.
var osPackageCache = struct {
	sync.Mutex
	m map[string]cachedPackages
}{m: map[string]cachedPackages{}}

type cachedPackages struct {
	stamp fileStamp
	set   *PackageSet
}

// readOSPackages lists the packages of the first package manager found, or
// returns nil when there is none. The set is shared (see PackageSet).
func readOSPackages(ctx context.Context) (*PackageSet, error) {
	for _, db := range packageDBs {
		stamp, err := stampOf(db.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list %s packages: %w", db.manager, err)
		}
		osPackageCache.Lock()
		c, ok := osPackageCache.m[db.path]
		osPackageCache.Unlock()
		if ok && c.stamp == stamp {
			return c.set, nil
		}
		// Every executor is a process of its own: the list is remembered
		// for the host too, valid while the database keeps its identity.
		pkgs, err := hostcache.Remember(hostcache.Shared(), "os-packages\x00"+db.path, []string{db.path}, func() ([]Package, []string, error) {
			pkgs, err := db.list(ctx, db.path)
			return pkgs, nil, err
		})
		if err != nil {
			return nil, fmt.Errorf("list %s packages from %s: %w", db.manager, db.path, err)
		}
		if pkgs == nil {
			continue
		}
		set := &PackageSet{Manager: db.manager, Packages: pkgs, encoded: &onceJSON{}}
		if db.manager == "dpkg" {
			set.Depends = dpkgRelations(db.path)
		}
		osPackageCache.Lock()
		osPackageCache.m[db.path] = cachedPackages{stamp, set}
		osPackageCache.Unlock()
		return set, nil
	}
	return nil, nil
}

// fileStamp identifies one version of a file without reading it.
type fileStamp struct {
	size  int64
	mtime int64
}

func stampOf(path string) (fileStamp, error) {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{st.Size(), st.ModTime().UnixNano()}, nil
}

// sortPackages orders packages by name, then architecture, then version.
func sortPackages(pkgs []Package) {
	sort.Slice(pkgs, func(i, j int) bool {
		a, b := pkgs[i], pkgs[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Arch != b.Arch {
			return a.Arch < b.Arch
		}
		return a.Version < b.Version
	})
}
