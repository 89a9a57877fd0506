package capture

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// madeupSpec builds python3-madeup: a module in a made-up site-packages,
// a link beside it, a %ghost file there and a %config file elsewhere.
const madeupSpec = `Name: python3-madeup
Version: 1.2
Release: 3
Summary: A module for the test
License: MIT
BuildArch: noarch
%description
A module for the test.
%install
mkdir -p %{buildroot}/usr/lib/python3.11/site-packages/madeup %{buildroot}/etc
printf 'x = 1\n' > %{buildroot}/usr/lib/python3.11/site-packages/madeup/__init__.py
ln -s __init__.py %{buildroot}/usr/lib/python3.11/site-packages/madeup/alias.py
printf 'k=v\n' > %{buildroot}/etc/madeup.conf
%files
/usr/lib/python3.11/site-packages/madeup
%config /etc/madeup.conf
%ghost /usr/lib/python3.11/site-packages/madeup/ghost.py
`

// installRPM builds the package spec describes with rpmbuild and installs
// it with rpm (-i, or the mode given) into root, in a database of its own
// there, which the verifier reads for the rest of the test.
func installRPM(t *testing.T, root, spec string, mode ...string) {
	t.Helper()
	for _, tool := range []string{"rpm", "rpmbuild"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install rpm): the files of rpm packages cannot be checked here", tool)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p.spec"), []byte(spec), 0o644)
	build := exec.Command("rpmbuild", "-bb", "--define", "_topdir "+filepath.Join(dir, "top"),
		"--define", "__os_install_post %{nil}", "--buildroot", filepath.Join(dir, "buildroot"), filepath.Join(dir, "p.spec"))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("rpmbuild: %v\n%s", err, out)
	}
	rpms, _ := filepath.Glob(filepath.Join(dir, "top", "RPMS", "*", "*.rpm"))
	if len(rpms) == 0 {
		t.Fatal("rpmbuild built no package")
	}
	if len(mode) == 0 {
		mode = []string{"-i"}
	}
	args := append([]string{"--root", root, "--dbpath", "/var/lib/rpm", "--nodeps", "--noscripts", "--notriggers"}, mode...)
	install := exec.Command("rpm", append(args, rpms...)...)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("rpm -i: %v\n%s", err, out)
	}
	useRPMRoot(t, root)
}

// useRPMRoot points the verifier at the rpm database under root.
func useRPMRoot(t *testing.T, root string) {
	old := rpmRoot
	rpmRoot = root
	t.Cleanup(func() { rpmRoot = old })
}

func TestRPMInstalledFiles(t *testing.T) {
	noDpkg(t)
	root := t.TempDir()
	installRPM(t, root, madeupSpec)
	site := filepath.Join(root, "usr/lib/python3.11/site-packages")
	mod := filepath.Join(site, "madeup", "__init__.py")
	stray := filepath.Join(site, "stray.py")
	os.WriteFile(stray, []byte("1\n"), 0o644)

	c := verifySite(t, site)
	if !c.Clean() || c.Files != 1 || c.Packages != 1 || len(c.Unverifiable) != 0 {
		t.Fatalf("as installed: %+v; want madeup/__init__.py checked and clean", c)
	}
	if !slices.Equal(c.Unowned, []string{stray}) {
		t.Errorf("unowned %v; want only %s (the package's link and module are rpm's)", c.Unowned, stray)
	}

	// Unchanged, the result is the cached one: rpm is not asked again.
	path := os.Getenv("PATH")
	t.Setenv("PATH", "")
	if c := verifySite(t, site); c.Packages != 1 || c.Files != 1 {
		t.Errorf("unchanged environment verified again without rpm: %+v", c)
	}
	os.Setenv("PATH", path)

	// A %config file is the administrator's to edit.
	os.WriteFile(filepath.Join(root, "etc", "madeup.conf"), []byte("k=mine\n"), 0o644)
	if c := verifySite(t, site); !c.Clean() {
		t.Errorf("edited %%config file reported: %+v", c)
	}

	os.WriteFile(mod, []byte("x = 2\n"), 0o644)
	shipped, patched := sha256.Sum256([]byte("x = 1\n")), sha256.Sum256([]byte("x = 2\n"))
	c = verifySite(t, site)
	want := ChangedFile{Manager: "rpm", Package: "python3-madeup", Version: "1.2-3", Path: mod,
		Expected: "sha256:" + hex.EncodeToString(shipped[:]), Actual: "sha256:" + hex.EncodeToString(patched[:])}
	if len(c.Modified) != 1 || c.Modified[0] != want || len(c.Missing) != 0 {
		t.Errorf("patched module: modified %+v, missing %+v; want %+v", c.Modified, c.Missing, want)
	}

	os.Remove(mod)
	c = verifySite(t, site)
	if len(c.Missing) != 1 || c.Missing[0].Path != mod || c.Missing[0].Expected != want.Expected || c.Missing[0].Actual != "" || len(c.Modified) != 0 {
		t.Errorf("deleted module: missing %+v, modified %+v", c.Missing, c.Modified)
	}
}

func TestRPMFileListSkipsWhatRPMDoesNotVouchFor(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	text := strings.Join([]string{
		"p\t0:1-1\t8\t" + sum + "\t33188\t1\t0\t/etc/p.conf",    // %config
		"p\t0:1-1\t8\t\t16877\t0\t0\t/site/p",                   // directory
		"p\t0:1-1\t8\t\t41471\t0\t0\t/site/p/link.py",           // link
		"p\t0:1-1\t8\t\t32768\t64\t0\t/site/p/ghost.py",         // %ghost
		"p\t0:1-1\t8\t" + sum + "\t33188\t2\t2\t/usr/share/doc", // not installed
		"p\t0:1-1\t8\t" + strings.ToUpper(sum) + "\t33188\t0\t0\t/site/p/a\tb.py",
		"q\t2:3-4\t(none)\t" + sum[:32] + "\t33188\t0\t0\t/site/q.py",
		"r\t0:1-1\t99\t" + sum + "\t33188\t0\t0\t/site/r.py",
		"r\t0:1-1\t8\t" + sum + "\t33188\t0\t0\t/site/r2.py",
	}, "\n") + "\n"
	var pkgs []rpmPackage
	if err := parseRPMFiles(strings.NewReader(text), "/root", func(p rpmPackage) { pkgs = append(pkgs, p) }); err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 3 {
		t.Fatalf("packages %+v", pkgs)
	}
	var hashed []string
	for _, f := range pkgs[0].Files {
		if f.Sum != "" {
			hashed = append(hashed, f.Path+"="+f.Sum)
		}
	}
	if len(pkgs[0].Files) != 6 || !slices.Equal(hashed, []string{"/root/site/p/a\tb.py=sha256:" + sum}) {
		t.Errorf("p: %d paths, hashed %v; want 6 paths owned and only a\\tb.py hashed", len(pkgs[0].Files), hashed)
	}
	if q := pkgs[1]; q.Version != "2:3-4" || len(q.Files) != 1 || q.Files[0].Sum != "md5:"+sum[:32] {
		t.Errorf("q (no digest algorithm: MD5): %+v", q)
	}
	if r := pkgs[2]; !strings.Contains(r.Bad, "line 8") || !strings.Contains(r.Bad, `"99"`) || r.BadPath != "/root/site/r.py" {
		t.Errorf("r (unknown digest algorithm): %+v", r)
	}
}

// TestRPMDatabaseChange changes rpm's database alone after a
// verification: the remembered result does not hold any more.
func TestRPMDatabaseChange(t *testing.T) {
	noDpkg(t)
	root := t.TempDir()
	installRPM(t, root, madeupSpec)
	site := filepath.Join(root, "usr/lib/python3.11/site-packages")
	os.WriteFile(filepath.Join(site, "madeup", "__init__.py"), []byte("x = 2\n"), 0o644)
	if c := verifySite(t, site); len(c.Modified) != 1 {
		t.Fatalf("patched module: %+v", c)
	}
	// Version 1.3 ships the patched module; only the database learns of it.
	next := strings.NewReplacer("Version: 1.2", "Version: 1.3", "x = 1", "x = 2").Replace(madeupSpec)
	installRPM(t, root, next, "-U", "--justdb")
	if c := verifySite(t, site); !c.Clean() || c.Packages != 1 {
		t.Errorf("after rpm recorded 1.3, which ships the patched module: %+v", c)
	}
}

// TestRPMDatabaseCorrupt fails the verification with rpm's own words and
// the fix when rpm cannot read its database.
func TestRPMDatabaseCorrupt(t *testing.T) {
	if _, err := exec.LookPath("rpm"); err != nil {
		t.Skip("rpm is not installed (apt-get install rpm)")
	}
	noDpkg(t)
	root := t.TempDir()
	db := filepath.Join(root, "var/lib/rpm")
	os.MkdirAll(db, 0o755)
	os.WriteFile(filepath.Join(db, "rpmdb.sqlite"), []byte("not a database\n"), 0o644)
	useRPMRoot(t, root)
	_, err := verifyInstalled(&Interpreter{Path: "/test/python", Paths: []string{filepath.Join(root, "site")}}, "")
	if err == nil || !strings.Contains(err.Error(), db) || !strings.Contains(err.Error(), "rpm --rebuilddb") || strings.Contains(err.Error(), "\n") {
		t.Errorf("corrupt database: %v; want one line naming %s and the fix", err, db)
	}
}
