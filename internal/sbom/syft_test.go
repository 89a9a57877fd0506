package sbom

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sbom/osv"
)

// syftVersion is the syft the comparison is written against; .ci/run and
// scripts/test-deps.sh install it.
const syftVersion = "v1.57.2"

// syftBinary finds syft: $SYFT, then PATH, then GOPATH/bin, where go
// install puts it. The test skips only when it is absent.
func syftBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("the comparison with syft takes tens of seconds; not under -short")
	}
	if p := os.Getenv("SYFT"); p != "" {
		return p
	}
	if p, err := exec.LookPath("syft"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "syft")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("syft is not installed (go install github.com/anchore/syft/cmd/syft@" + syftVersion + ", or set SYFT)")
	return ""
}

// pep503 normalises a PyPI name as PEP 503 does: lower case, each run
// of - _ . one "-".
func pep503(name string) string {
	return strings.ToLower(regexp.MustCompile(`[-_.]+`).ReplaceAllString(name, "-"))
}

// pypiComponents reads the pkg:pypi components of a CycloneDX document:
// PEP 503 name and version to the paths syft says it read them from
// (lockstep's have none).
func pypiComponents(t *testing.T, b []byte) map[[2]string][]string {
	t.Helper()
	var doc struct {
		Components []struct {
			PURL       string `json:"purl"`
			Properties []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"properties"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("CycloneDX: %v", err)
	}
	out := map[[2]string][]string{}
	for _, c := range doc.Components {
		rest, ok := strings.CutPrefix(c.PURL, "pkg:pypi/")
		if !ok {
			continue
		}
		rest, _, _ = strings.Cut(rest, "?")
		name, version, _ := strings.Cut(rest, "@")
		name, _ = url.PathUnescape(name)
		version, _ = url.PathUnescape(version)
		key := [2]string{pep503(name), version}
		out[key] = append(out[key], "")
		for _, p := range c.Properties {
			if strings.HasPrefix(p.Name, "syft:location:") && strings.HasSuffix(p.Name, ":path") {
				out[key] = append(out[key], p.Value)
			}
		}
	}
	return out
}

// syftScan runs syft over dir, offline, and returns its pkg:pypi
// components with the paths (relative to dir) it found them at.
func syftScan(t *testing.T, syft, dir string) map[[2]string][]string {
	t.Helper()
	// Only syft's Python catalogers: the comparison is about PyPI
	// packages, and the others (binaries, Java, Go…) take time and add none.
	cmd := exec.Command(syft, "scan", "dir:"+dir, "-o", "cyclonedx-json", "-q", "--select-catalogers", "python")
	// No update check, no remote look-ups: the comparison runs offline.
	cmd.Env = append(os.Environ(), "SYFT_CHECK_FOR_APP_UPDATE=false", "SYFT_JAVA_USE_NETWORK=false", "SYFT_GOLANG_SEARCH_REMOTE_LICENSES=false",
		"SYFT_PYTHON_SEARCH_REMOTE_LICENSES=false", "SYFT_JAVASCRIPT_SEARCH_REMOTE_LICENSES=false", "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("syft scan dir:%s: %v\n%s", dir, err, stderrOf(err))
	}
	return pypiComponents(t, out)
}

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}

// compareWithSyft captures the environment of python, writes lockstep's
// CycloneDX SBOM of it, runs syft over each sys.path entry lockstep
// recorded, and compares the PyPI packages by PEP 503 name and version.
// Two differences are known and explained; any other fails the test:
//   - syft walks every folder, so it also reports a distribution's
//     metadata vendored inside another package
//     (setuptools/_vendor/six-1.16.0.dist-info): Python's
//     importlib.metadata does not see it as installed, and lockstep,
//     which lists what Python imports, leaves it out;
//   - a name installed in two sys.path entries is listed twice by syft,
//     once by lockstep: the one Python imports, from the first entry.
//
// It returns lockstep's packages, by PEP 503 name, for the caller's own
// checks.
func compareWithSyft(t *testing.T, syft, python string, extraPath ...string) map[string]string {
	t.Helper()
	path := strings.Join(append(extraPath, "/usr/bin", "/bin"), ":")
	env, err := capture.Capture(context.Background(), capture.Options{Command: python + " -c pass", PATH: path,
		Env: map[string]string{"PATH": path}})
	if err != nil {
		t.Fatal(err)
	}
	if env.Interpreter == nil {
		t.Fatalf("no interpreter recorded for %s", python)
	}
	_, d, err := core.DigestJSON(env)
	if err != nil {
		t.Fatal(err)
	}
	b, err := CycloneDX(env, d)
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{}
	for k := range pypiComponents(t, b) {
		ours[k[0]] = k[1]
	}
	theirs := map[[2]string][]string{}
	var where []string // what syft found, for the failure message
	for _, dir := range env.Interpreter.Paths {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		for k, paths := range syftScan(t, syft, dir) {
			theirs[k] = append(theirs[k], paths...)
			where = append(where, k[0]+" "+k[1]+" in "+dir)
		}
	}
	t.Logf("lockstep: %d PyPI packages; syft over %d sys.path entries: %d", len(ours), len(env.Interpreter.Paths), len(theirs))

	var real, known []string
	for k, paths := range theirs {
		name, version := k[0], k[1]
		switch v, ok := ours[name]; {
		case ok && v == version:
		case vendored(paths):
			known = append(known, name+" "+version+": vendored inside another package ("+strings.Join(nonEmpty(paths), ", ")+"), not an installed distribution")
		case ok && len(theirs[[2]string{name, v}]) > 0:
			known = append(known, name+" "+version+": shadowed by "+name+" "+v+" earlier on sys.path, which Python imports")
		case ok:
			real = append(real, name+": lockstep says "+v+", syft says "+version)
		default:
			real = append(real, name+" "+version+": only syft lists it (found at "+strings.Join(nonEmpty(paths), ", ")+")")
		}
	}
	for name, v := range ours {
		if len(theirs[[2]string{name, v}]) == 0 {
			real = append(real, name+" "+v+": only lockstep lists it")
		}
	}
	slices.Sort(real)
	slices.Sort(known)
	for _, k := range known {
		t.Logf("known difference: %s", k)
	}
	if len(real) > 0 {
		slices.Sort(where)
		t.Errorf("lockstep's and syft's PyPI packages differ:\n  %s\nsyft found:\n  %s", strings.Join(real, "\n  "), strings.Join(where, "\n  "))
	}
	return ours
}

// vendored reports whether every path syft read a package from (relative
// to the sys.path entry scanned) is distribution metadata below another
// folder of the entry ("/setuptools/_vendor/six-1.16.0.dist-info/METADATA"),
// where Python does not look for installed distributions, rather than at
// its top ("/pip-23.0.1.dist-info/METADATA", "/six-1.16.0.egg-info").
func vendored(paths []string) bool {
	paths = nonEmpty(paths)
	for _, p := range paths {
		meta := filepath.Dir(p)
		if strings.HasSuffix(p, ".egg-info") {
			meta = p
		}
		if !strings.HasSuffix(meta, ".dist-info") && !strings.HasSuffix(meta, ".egg-info") || filepath.Dir(meta) == "/" {
			return false
		}
	}
	return len(paths) > 0
}

func nonEmpty(s []string) []string {
	return slices.DeleteFunc(slices.Clone(s), func(x string) bool { return x == "" })
}

// TestSyftAgreesOnAVirtualEnvironment builds a virtual environment with
// Debian's python3 (pip and setuptools from its bundled wheels) and
// installs with pip, offline, a wheel whose name PEP 503 normalises
// ("Lockstep_Test.Syft") and which vendors another distribution's
// metadata, as setuptools 71 and later do; then compares lockstep's SBOM
// with syft's.
func TestSyftAgreesOnAVirtualEnvironment(t *testing.T) {
	syft := syftBinary(t)
	python := "/usr/bin/python3"
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(python, "-m", "venv", venv).CombinedOutput(); err != nil {
		t.Skipf("cannot create a virtual environment with Debian's %s (apt-get install python3-venv): %v: %s", python, err, out)
	}
	wheel := osv.Wheel(t, "Lockstep_Test.Syft", "1.0.post1", map[string]string{
		"lockstep_test_syft/__init__.py":                                "",
		"lockstep_test_syft/_vendor/six-1.16.0.dist-info/METADATA":      "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n",
		"lockstep_test_syft/_vendor/six-1.16.0.dist-info/top_level.txt": "six\n",
		"lockstep_test_syft/_vendor/six.py":                             "",
	})
	pip := exec.Command(filepath.Join(venv, "bin", "python"), "-m", "pip", "install", "--no-index", "--no-deps",
		"--disable-pip-version-check", "--no-cache-dir", wheel)
	if out, err := pip.CombinedOutput(); err != nil {
		t.Fatalf("pip install %s: %v\n%s", wheel, err, out)
	}
	ours := compareWithSyft(t, syft, filepath.Join(venv, "bin", "python"), filepath.Join(venv, "bin"))
	if ours["lockstep-test-syft"] != "1.0.post1" || ours["pip"] == "" {
		t.Errorf("lockstep's packages of the virtual environment: %v", ours)
	}
}

// TestSyftAgreesOnDebianPython compares lockstep's SBOM of Debian's
// python3 (its dist-packages hold both .dist-info and .egg-info metadata)
// with syft's.
func TestSyftAgreesOnDebianPython(t *testing.T) {
	syft := syftBinary(t)
	if _, err := os.Stat("/usr/lib/python3/dist-packages"); err != nil {
		t.Skip("Debian's python3 is not installed")
	}
	if ours := compareWithSyft(t, syft, "/usr/bin/python3"); len(ours) == 0 {
		t.Error("lockstep found no package in Debian's python3")
	}
}
