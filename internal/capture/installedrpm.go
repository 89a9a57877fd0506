package capture

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// rpmRoot is the root rpm's database and file paths are relative to;
// tests point it at a made-up system.
var rpmRoot = "/"

// rpmDatabaseFiles are the files whose change means rpm's database
// changed: the sqlite (rpm 4.16 on), ndb and Berkeley DB back ends. The
// sqlite write-ahead log and shared memory, and Berkeley DB's __db.*
// environment, are left out: a mere query touches them.
var rpmDatabaseFiles = []string{"rpmdb.sqlite", "Packages.db", "Packages"}

// rpmFileQuery asks rpm for one line per file of every installed package.
// The file name comes last, so that a tab in it cannot shift the fields.
const rpmFileQuery = `[%{=NAME}\t%{=EPOCHNUM}:%{=VERSION}-%{=RELEASE}\t%{=FILEDIGESTALGO}\t%{FILEDIGESTS}\t%{FILEMODES}\t%{FILEFLAGS}\t%{FILESTATES}\t%{FILENAMES}\n]`

// maxRPMOutput bounds what is read of rpm's file list; rpmTimeout bounds
// how long rpm may take to print it. A system with 3,000 packages and
// half a million files prints about 100 MB.
const (
	maxRPMOutput = 1 << 30
	rpmTimeout   = 2 * time.Minute
)

// readRPM adds the files of every rpm package that installed a regular
// file under the interpreter's search path: the digests rpm recorded when
// it installed them are what is expected of them, and every path rpm
// lists there (directories, links and ghost files included) is owned.
// rpm runs only when one of the databases readOSPackages looks for holds
// a database file, and only when the cache cannot answer.
func (v *verifier) readRPM() error {
	db := ""
	for _, pdb := range packageDBs {
		if pdb.manager != "rpm" {
			continue
		}
		for _, name := range rpmDatabaseFiles {
			if st := v.depend(filepath.Join(rpmRoot, pdb.path, name)); st.Mode != 0 && db == "" {
				db = pdb.path
			}
		}
	}
	if db == "" {
		return nil
	}
	rpm, err := exec.LookPath("rpm")
	if err != nil {
		return nil // the database cannot be read without rpm: nothing to compare with
	}
	ctx, cancel := context.WithTimeout(context.Background(), rpmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, rpm, "--root", rpmRoot, "--dbpath", db, "-qa", "--queryformat", rpmFileQuery)
	var stderr strings.Builder
	cmd.Stderr = core.FirstBytes(&stderr, 4096)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("verify the files of rpm packages: %w", err)
	}
	lr := &io.LimitedReader{R: out, N: maxRPMOutput + 1}
	perr := parseRPMFiles(lr, rpmRoot, v.addRPMPackage)
	if perr == nil && lr.N <= 0 {
		perr = fmt.Errorf("rpm's file list is larger than %d MB", maxRPMOutput>>20)
	}
	if perr != nil {
		cancel() // rpm is not read further: stop it
	}
	werr := cmd.Wait()
	switch {
	case perr != nil:
		return fmt.Errorf("verify the files of rpm packages in %s: %w", filepath.Join(rpmRoot, db), perr)
	case ctx.Err() != nil:
		return fmt.Errorf("verify the files of rpm packages in %s: rpm did not list them within %v; check the database with rpm --rebuilddb", filepath.Join(rpmRoot, db), rpmTimeout)
	case werr != nil:
		msg := strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(stderr.String()), "\n", " / ")), " ")
		return fmt.Errorf("verify the files of rpm packages in %s: rpm -qa: %v: %s; check the database with rpm --rebuilddb", filepath.Join(rpmRoot, db), werr, msg)
	}
	return nil
}

// addRPMPackage records what one rpm package vouches for, when one of its
// files lies on the interpreter's search path.
func (v *verifier) addRPMPackage(p rpmPackage) {
	relevant := false
	for _, f := range p.Files {
		if f.Sum != "" && v.onSearchPath(f.Path) {
			relevant = true
			break
		}
	}
	if !relevant && (p.Bad == "" || !v.onSearchPath(p.BadPath)) {
		return
	}
	if p.Bad != "" {
		v.res.Check.Unverifiable = append(v.res.Check.Unverifiable, Unverifiable{p.Name, p.Version,
			fmt.Sprintf("rpm's file list for %s: %s; check the package with rpm -V %s", p.Name, p.Bad, p.Name)})
		return
	}
	for _, f := range p.Files {
		if v.onSearchPath(f.Path) {
			v.owned[f.Path] = true
		}
		if f.Sum != "" {
			v.expect = append(v.expect, expectation{"rpm", p.Name, p.Version, f.Path, f.Sum})
		}
	}
	v.checked["rpm:"+p.Name] = true
}

// rpmPackage is one installed rpm package as rpmFileQuery lists it.
type rpmPackage struct {
	Name, Version string
	// Files are the paths it owns, under the root. Sum is "algorithm:hex"
	// for the regular files whose content rpm vouches for and "" for the
	// rest: directories, links and devices; %ghost files, whose content
	// the package does not ship; %config files, which the administrator
	// is meant to edit; and files rpm did not install (excluded
	// documentation, another architecture's copy, a shared network path)
	// or that another package's copy replaced.
	Files []recordEntry
	// Bad says what is wrong with the first malformed line, BadPath is
	// the path on it (when it has one).
	Bad, BadPath string
}

// rpmDigestAlgorithms maps rpm's file digest algorithm numbers (OpenPGP
// hash algorithm ids) to the algorithm name and digest size; a package
// without the tag uses MD5.
var rpmDigestAlgorithms = map[string]struct {
	name string
	size int
}{
	"1": {"md5", 16}, "2": {"sha1", 20}, "8": {"sha256", 32},
	"9": {"sha384", 48}, "10": {"sha512", 64}, "11": {"sha224", 28},
	"(none)": {"md5", 16},
}

// rpm's file flags and states (rpmfiles.h).
const (
	rpmFileConfig      = 1 << 0
	rpmFileGhost       = 1 << 6
	rpmFileStateNormal = "0"
)

// parseRPMFiles streams the output of rpm -qa --queryformat rpmFileQuery
// and calls each with every package, its paths joined to root. Lines of
// one package come together; a line that cannot be read marks its
// package Bad, so that its files are not vouched for by a list that may be
// cut.
func parseRPMFiles(r io.Reader, root string, each func(rpmPackage)) error {
	var cur rpmPackage
	n := 0
	flush := func() {
		if cur.Name != "" {
			each(cur)
		}
		cur = rpmPackage{}
	}
	err := eachLine(r, func(line string) bool {
		n++
		if line == "" {
			return true
		}
		f := strings.SplitN(line, "\t", 8)
		if len(f) < 2 || f[0] == "" {
			return true // no package to blame: rpm printed something else
		}
		version := strings.TrimPrefix(f[1], "0:")
		if f[0] != cur.Name || version != cur.Version {
			flush()
			cur.Name, cur.Version = f[0], version
		}
		if cur.Bad != "" {
			return true
		}
		e, err := parseRPMFileLine(f, root)
		if err != nil {
			cur.Bad = fmt.Sprintf("line %d: %v", n, err)
			cur.BadPath = e.Path
			return true
		}
		cur.Files = append(cur.Files, e)
		return true
	})
	flush()
	return err
}

// parseRPMFileLine reads the fields of one file's line.
func parseRPMFileLine(f []string, root string) (recordEntry, error) {
	if len(f) != 8 {
		return recordEntry{}, errors.New("not name, version, digest algorithm, digest, mode, flags, state and path")
	}
	if !strings.HasPrefix(f[7], "/") || filepath.Clean(f[7]) != f[7] || strings.ContainsRune(f[7], 0) {
		return recordEntry{}, fmt.Errorf("path %.200q is not absolute and clean", f[7])
	}
	e := recordEntry{Path: filepath.Join(root, f[7])}
	algo, digest := f[2], strings.ToLower(f[3])
	mode, err1 := strconv.ParseUint(f[4], 10, 32)
	flags, err2 := strconv.ParseUint(f[5], 10, 32)
	if err1 != nil || err2 != nil {
		return e, fmt.Errorf("mode %.20q or flags %.20q is not a number", f[4], f[5])
	}
	if mode&0o170000 != 0o100000 || flags&(rpmFileConfig|rpmFileGhost) != 0 || f[6] != rpmFileStateNormal || digest == "" {
		return e, nil
	}
	a, ok := rpmDigestAlgorithms[algo]
	if !ok {
		return e, fmt.Errorf("digest algorithm %.20q is not one lockstep knows (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512)", algo)
	}
	if b, err := hex.DecodeString(digest); err != nil || len(b) != a.size {
		return e, fmt.Errorf("digest %.80q of %.200q is not a %s digest", digest, f[7], a.name)
	}
	e.Sum = a.name + ":" + digest
	return e, nil
}
