package capture

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// installDist installs a made-up distribution into site: its files, a
// METADATA and a RECORD that lists them with their sha256.
func installDist(t testing.TB, site, name, version string, files map[string]string) {
	t.Helper()
	info := filepath.Join(site, name+"-"+version+".dist-info")
	if err := os.MkdirAll(info, 0o755); err != nil {
		t.Fatal(err)
	}
	var record strings.Builder
	for rel, body := range files {
		p := filepath.Join(site, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", rel, base64.RawURLEncoding.EncodeToString(sum[:]), len(body))
	}
	meta := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n\n"
	os.WriteFile(filepath.Join(info, "METADATA"), []byte(meta), 0o644)
	fmt.Fprintf(&record, "%s-%s.dist-info/RECORD,,\n", name, version)
	os.WriteFile(filepath.Join(info, "RECORD"), []byte(record.String()), 0o644)
}

// noDpkg points the dpkg database at an empty folder for the test.
func noDpkg(t testing.TB) {
	old := dpkgAdmin
	dpkgAdmin = t.TempDir()
	t.Cleanup(func() { dpkgAdmin = old })
}

func verifySite(t testing.TB, site string) FileCheck {
	t.Helper()
	filesChanged() // each call checks the files as they are now
	res, err := verifyInstalled(&Interpreter{Path: "/test/python", Paths: []string{site}}, "")
	if err != nil {
		t.Fatal(err)
	}
	return res.Check
}

func TestRecordMissingOrMalformed(t *testing.T) {
	noDpkg(t)
	site := filepath.Join(t.TempDir(), "site-packages")
	installDist(t, site, "good", "1.0", map[string]string{"good/__init__.py": "x = 1\n"})
	installDist(t, site, "norecord", "2.0", map[string]string{"norecord.py": "y = 1\n"})
	os.Remove(filepath.Join(site, "norecord-2.0.dist-info", "RECORD"))
	installDist(t, site, "broken", "3.0", map[string]string{"broken.py": "z = 1\n"})
	os.WriteFile(filepath.Join(site, "broken-3.0.dist-info", "RECORD"), []byte("broken.py,sha256=AAAA,6\nbroken.py,md5=x\n"), 0o644)

	c := verifySite(t, site)
	if !c.Clean() || c.Files != 1 {
		t.Errorf("files %d, modified %v, missing %v; want good's one file checked and clean", c.Files, c.Modified, c.Missing)
	}
	reasons := map[string]string{}
	for _, u := range c.Unverifiable {
		reasons[u.Package] = u.Reason
	}
	if r := reasons["norecord"]; !strings.Contains(r, "no RECORD") || !strings.Contains(r, "pip install --force-reinstall norecord==2.0") {
		t.Errorf("norecord: %q", r)
	}
	if r := reasons["broken"]; !strings.Contains(r, "broken-3.0.dist-info/RECORD: line 1") || !strings.Contains(r, "urlsafe-base64") {
		t.Errorf("broken: %q", r)
	}
	// Files of a distribution whose RECORD cannot vouch for them are not
	// owned by anyone.
	if !slices.Contains(c.Unowned, filepath.Join(site, "norecord.py")) || !slices.Contains(c.Unowned, filepath.Join(site, "broken.py")) {
		t.Errorf("unowned %v", c.Unowned)
	}
}

func TestHostileMetadata(t *testing.T) {
	noDpkg(t)
	site := filepath.Join(t.TempDir(), "site-packages")
	installDist(t, site, "evil", "1.0", map[string]string{"evil.py": "1\n"})
	meta := "Name: ev\x1b[31mil\u202e\nVersion: 1.0\"><script>\nRequires-Dist: \x1b]0;title\x07x\n\n"
	os.WriteFile(filepath.Join(site, "evil-1.0.dist-info", "METADATA"), []byte(meta), 0o644)
	// A RECORD naming a device and a path far outside, with sums that
	// cannot match: reported, never read past its stat'ed size.
	os.WriteFile(filepath.Join(site, "evil-1.0.dist-info", "RECORD"), []byte(
		"/dev/zero,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"+
			"../../../../../../../../proc/self/status,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"), 0o644)
	done := make(chan FileCheck)
	go func() { done <- verifySite(t, site) }()
	select {
	case c := <-done:
		if len(c.Missing)+len(c.Modified) != 2 {
			t.Errorf("modified %v missing %v; want both hostile entries reported", c.Modified, c.Missing)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("verification did not finish: a hostile RECORD made it read without end")
	}
}

func TestDpkgModifiedFile(t *testing.T) {
	root := t.TempDir()
	admin := filepath.Join(root, "var/lib/dpkg")
	site := filepath.Join(root, "usr/lib/python3/dist-packages")
	os.MkdirAll(filepath.Join(admin, "info"), 0o755)
	os.MkdirAll(filepath.Join(site, "mod"), 0o755)
	os.WriteFile(filepath.Join(admin, "status"), []byte("Package: python3-mod\nStatus: install ok installed\nVersion: 1.2-3\n"), 0o644)
	body := []byte("print('shipped')\n")
	os.WriteFile(filepath.Join(site, "mod", "__init__.py"), body, 0o644)
	sum := md5.Sum(body)
	os.WriteFile(filepath.Join(admin, "info", "python3-mod:amd64.md5sums"),
		[]byte(hex.EncodeToString(sum[:])+"  usr/lib/python3/dist-packages/mod/__init__.py\n"), 0o644)
	os.WriteFile(filepath.Join(admin, "info", "python3-mod:amd64.list"),
		[]byte("/usr/lib/python3/dist-packages\n/usr/lib/python3/dist-packages/mod\n/usr/lib/python3/dist-packages/mod/__init__.py\n"), 0o644)
	oldAdmin, oldRoot := dpkgAdmin, dpkgRoot
	dpkgAdmin, dpkgRoot = admin, root
	t.Cleanup(func() { dpkgAdmin, dpkgRoot = oldAdmin, oldRoot })

	if c := verifySite(t, site); !c.Clean() || c.Files != 1 || c.Packages != 1 || len(c.Unowned) != 0 {
		t.Fatalf("shipped state: %+v", c)
	}
	os.WriteFile(filepath.Join(site, "mod", "__init__.py"), []byte("print('patched')\n"), 0o644)
	c := verifySite(t, site)
	if len(c.Modified) != 1 || c.Modified[0].Manager != "dpkg" || c.Modified[0].Package != "python3-mod" ||
		c.Modified[0].Expected != "md5:"+hex.EncodeToString(sum[:]) || !strings.HasPrefix(c.Modified[0].Actual, "md5:") {
		t.Errorf("modified %+v", c.Modified)
	}
}

// TestManyPackages installs 5,000 distributions and checks that their
// verification stays within time and memory bounds, and that a warm one
// is cheap.
func TestManyPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 5,000 distributions")
	}
	noDpkg(t)
	site := filepath.Join(t.TempDir(), "site-packages")
	for i := range 5000 {
		installDist(t, site, fmt.Sprintf("pkg%04d", i), "1.0", map[string]string{fmt.Sprintf("pkg%04d/__init__.py", i): "x\n"})
	}
	cache := t.TempDir()
	interp := &Interpreter{Path: "/test/python", Paths: []string{site}}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	res, err := verifyInstalled(interp, cache)
	cold := time.Since(start)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if res.Check.Files != 5000 || res.Check.Packages != 5000 || !res.Check.Clean() {
		t.Fatalf("checked %d files of %d packages: %+v", res.Check.Files, res.Check.Packages, res.Check.Missing)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	asNewProcess()
	start = time.Now()
	if _, err := verifyInstalled(interp, cache); err != nil {
		t.Fatal(err)
	}
	warm := time.Since(start)
	t.Logf("5,000 packages: cold %v (%d MB allocated), warm %v", cold, alloc>>20, warm)
	if cold > 60*time.Second || alloc > 1<<30 {
		t.Errorf("cold verification of 5,000 packages took %v and %d MB", cold, alloc>>20)
	}
	if warm > cold {
		t.Errorf("warm verification %v slower than cold %v", warm, cold)
	}
}
