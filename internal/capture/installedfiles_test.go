package capture

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// pyenvSite is a site-packages directory holding real pip-installed
// distributions (with RECORD) to copy into a test's venv; the test skips
// when no such distribution is found.
func realDist(t *testing.T, name string) (site, distInfo string) {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import "+name+", os; print(os.path.dirname(os.path.dirname("+name+".__file__)))").Output()
	if err != nil {
		t.Skipf("python3 cannot import %s: %v", name, err)
	}
	site = strings.TrimSpace(string(out))
	matches, _ := filepath.Glob(filepath.Join(site, name+"-*.dist-info", "RECORD"))
	if len(matches) == 0 {
		t.Skipf("%s in %s has no RECORD", name, site)
	}
	return site, filepath.Dir(matches[0])
}

// newVenv makes a venv of Debian's python3 holding a copy of the real,
// pip-installed distribution name; it returns the venv's python and its
// site-packages.
func newVenv(t *testing.T, name string) (python, site string) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	src, distInfo := realDist(t, name)
	dir := t.TempDir()
	if out, err := exec.Command("/usr/bin/python3", "-m", "venv", "--without-pip", dir).CombinedOutput(); err != nil {
		t.Skipf("python3 -m venv: %v: %s", err, out)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "lib", "python3*", "site-packages"))
	if len(matches) != 1 {
		t.Fatalf("venv site-packages: %v", matches)
	}
	site = matches[0]
	for _, p := range []string{filepath.Join(src, name), distInfo} {
		if out, err := exec.Command("cp", "-a", p, site).CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v: %s", p, err, out)
		}
	}
	return filepath.Join(dir, "bin", "python"), site
}

func captureVenv(t *testing.T, python, cacheDir string) (*Environment, core.Digest) {
	t.Helper()
	filesChanged() // each capture checks the files as they are now
	env, err := Capture(context.Background(), Options{Command: python + " -c pass", PATH: "/usr/bin:/bin", Env: map[string]string{"PATH": "/usr/bin:/bin"}, CacheDir: cacheDir})
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := core.DigestJSON(env)
	if err != nil {
		t.Fatal(err)
	}
	if env.Files == nil {
		t.Fatal("no installed_files in the environment of a Python step")
	}
	return env, d
}

func sha256File(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func TestInstalledFilePatched(t *testing.T) {
	python, site := newVenv(t, "requests")
	cache := t.TempDir()
	env, before := captureVenv(t, python, cache)
	if !env.Files.Clean() {
		t.Fatalf("fresh venv: %+v %+v", env.Files.Modified, env.Files.Missing)
	}
	if env.Files.Files < 10 || env.Files.Packages < 2 {
		t.Errorf("checked %d files of %d packages; want requests' files and the stdlib's dpkg package", env.Files.Files, env.Files.Packages)
	}
	if len(env.Files.Unowned) != 0 {
		t.Errorf("unowned in a fresh venv: %v", env.Files.Unowned)
	}
	target := filepath.Join(site, "requests", "__init__.py")
	want := sha256File(t, target)
	f, err := os.OpenFile(target, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nimport os  # patched\n")
	f.Close()
	stray := filepath.Join(site, "requests", "backdoor.py")
	os.WriteFile(stray, []byte("print('hi')\n"), 0o644)

	env, after := captureVenv(t, python, cache)
	if after == before {
		t.Error("the environment digest did not change when an installed file was patched")
	}
	i := slices.IndexFunc(env.Files.Modified, func(c ChangedFile) bool { return c.Path == target })
	if i < 0 {
		t.Fatalf("patched %s not reported: %+v", target, env.Files.Modified)
	}
	c := env.Files.Modified[i]
	if c.Manager != "pip" || c.Package != "requests" || c.Version == "" || c.Expected != want || c.Actual != sha256File(t, target) {
		t.Errorf("report %+v; want pip requests, expected %s, actual %s", c, want, sha256File(t, target))
	}
	if !slices.Contains(env.Files.Unowned, stray) {
		t.Errorf("unowned %v does not list %s", env.Files.Unowned, stray)
	}
}
