package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/sbom/osv"
)

// osvFixture is the OSV database written for the tests.
const osvFixture = "../sbom/osv/testdata/fixture"

// evilWheel writes a tiny wheel of lockstep-test-evil 0.1, the package
// name the fixture's MAL- advisory is about, and returns its path.
func evilWheel(t *testing.T) string {
	t.Helper()
	return osv.Wheel(t, "lockstep-test-evil", "0.1", map[string]string{
		"lockstep_test_evil/__init__.py":                 "print('harmless stand-in for a malicious package')\n",
		"lockstep_test_evil-0.1.dist-info/top_level.txt": "lockstep_test_evil\n",
	})
}

// debianVenv makes a virtual environment over Debian's python3 and its
// packages (--system-site-packages) and installs the made-up malicious
// package into it with pip, offline; it skips where that cannot be done.
func debianVenv(t *testing.T) string {
	t.Helper()
	python := "/usr/bin/python3"
	if _, err := os.Stat("/usr/lib/python3/dist-packages/cryptography"); err != nil {
		t.Skip("Debian's python3-cryptography is not installed (apt-get install python3-cryptography python3-certifi python3-jwt python3-yaml python3-pip)")
	}
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(python, "-m", "venv", "--system-site-packages", "--without-pip", venv).CombinedOutput(); err != nil {
		t.Skipf("cannot create a virtual environment with %s: %v: %s", python, err, out)
	}
	pip := exec.Command(filepath.Join(venv, "bin", "python"), "-m", "pip", "install", "--no-index", "--no-deps",
		"--disable-pip-version-check", "--no-cache-dir", evilWheel(t))
	if out, err := pip.CombinedOutput(); err != nil {
		t.Skipf("cannot install a local wheel with Debian's pip (apt-get install python3-pip): %v: %s", err, out)
	}
	return venv
}

// TestAuditDepsFindsAdvisoriesAndTheMaliciousPackage runs a step with
// Debian's python3 packages and a made-up malicious package, imports the
// test OSV database and audits the run.
func TestAuditDepsFindsAdvisoriesAndTheMaliciousPackage(t *testing.T) {
	venv := debianVenv(t)
	fixture, err := filepath.Abs(osvFixture)
	if err != nil {
		t.Fatal(err)
	}
	p := newProject(t, "flow: deps\nsteps:\n  train:\n    run: python3 -c \"import cryptography, certifi, lockstep_test_evil\"\n", nil)
	p.environ = setEnv(p.environ, "PATH", filepath.Join(venv, "bin")+":"+os.Getenv("PATH"))
	// A patched installed file, which unverified-files: deny refuses below.
	patched, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages", "lockstep_test_evil", "__init__.py"))
	if len(patched) != 1 {
		t.Fatalf("the installed package's file: %v", patched)
	}
	if err := os.WriteFile(patched[0], []byte("print('patched after install')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustRun(0, "run")

	// No database: the audit says so and fails.
	r := p.mustRun(1, "audit-deps", "last")
	if !strings.Contains(r.stdout, "no PyPI advisories imported") || !strings.Contains(r.stderr, "no PyPI advisories were imported") {
		t.Errorf("an audit without a database:\n%s\n%s", r.stdout, r.stderr)
	}

	export := osv.ZipDir(t, fixture)
	imp := p.mustRun(0, "vulndb", "import", export)
	if !strings.Contains(imp.stdout, "imported 7 PyPI advisories") || !strings.Contains(imp.stdout, `LOCKSTEP-TEST-FUZZY: range type "FUZZY" kept`) {
		t.Errorf("vulndb import said:\n%s", imp.stdout)
	}
	r = p.mustRun(1, "audit-deps", "last")
	for _, want := range []string{
		"MAL-2099-0001", "MALICIOUS", "lockstep-test-evil 0.1",
		"GHSA-x4qr-2fvf-3mr5", "high 7.4", "cryptography 38.0.4 → fixed in 39.0.1 (CVE-2023-0286)",
		"PYSEC-2023-135", "certifi 2022.9.24 → fixed in 2023.7.22",
		"GHSA-jm77-qphf-c4w8", "high 8.7", // rated by its CVSS v4.0 vector alone
		"LOCKSTEP-TEST-FUZZY", "undecided",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("audit-deps does not say %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "WITHDRAWN") || strings.Contains(r.stdout, "GHSA-ffqj-6fqr-9h24") || strings.Contains(r.stdout, "PYSEC-2021-142") {
		t.Errorf("a withdrawn advisory, or one outside its range, was reported:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "MAL-2099-0001 lockstep-test-evil 0.1: a known malicious package") {
		t.Errorf("the failure does not name the malicious package:\n%s", r.stderr)
	}

	var out struct {
		Report osv.Report `json:"report"`
		Digest string     `json:"digest"`
		Policy struct {
			Passed bool `json:"passed"`
		} `json:"policy"`
	}
	rj := p.mustRun(1, "audit-deps", "last", "--json")
	if err := json.Unmarshal([]byte(rj.stdout), &out); err != nil {
		t.Fatalf("audit-deps --json: %v\n%s", err, rj.stdout)
	}
	if out.Policy.Passed || len(out.Report.Steps) != 1 || len(out.Report.Steps[0].Findings) < 5 {
		t.Errorf("audit-deps --json: %+v", out)
	}

	show := p.mustRun(0, "show", "last").stdout
	if !strings.Contains(show, "MALICIOUS: lockstep-test-evil 0.1") {
		t.Errorf("show does not name the malicious package:\n%s", show)
	}
	var bom struct {
		Vulnerabilities []struct {
			ID      string `json:"id"`
			Affects []struct {
				Ref string `json:"ref"`
			} `json:"affects"`
			Ratings []struct {
				Score  float64 `json:"score"`
				Method string  `json:"method"`
			} `json:"ratings"`
		} `json:"vulnerabilities"`
	}
	p.jsonOf(&bom, "bom", "last")
	found := false
	for _, v := range bom.Vulnerabilities {
		if v.ID == "MAL-2099-0001" && len(v.Affects) == 1 && v.Affects[0].Ref == "pkg:pypi/lockstep-test-evil@0.1" {
			found = true
		}
		if v.ID == "GHSA-jm77-qphf-c4w8" && (len(v.Ratings) != 1 || v.Ratings[0].Method != "CVSSv4" || v.Ratings[0].Score != 8.7) {
			t.Errorf("the ML-BOM rates the CVSS v4.0 advisory %+v, want 8.7 by CVSSv4", v.Ratings)
		}
	}
	if !found {
		t.Errorf("the ML-BOM's vulnerabilities do not name the malicious package: %+v", bom.Vulnerabilities)
	}

	// --osv audits against an export directly; a policy can let the
	// advisories in by id, never the malicious package.
	policyFile := filepath.Join(p.dir, "policy.yaml")
	os.WriteFile(policyFile, []byte("apiVersion: lockstep.dev/v1\nkind: Policy\nrequire:\n  dependencies:\n    max-severity: critical\n    max-age: 100000d\n    allow: [GHSA-x4qr-2fvf-3mr5, CVE-2023-38325, PYSEC-2023-135, LOCKSTEP-TEST-FUZZY, DEBIAN-TEST-DPKG, MAL-2099-0001]\n"), 0o644)
	r = p.mustRun(1, "audit-deps", "last", "--osv", fixture, "--policy", policyFile)
	if !strings.Contains(r.stderr, "malicious") || strings.Contains(r.stderr, "GHSA-x4qr") {
		t.Errorf("with everything but the malicious package allowed:\n%s", r.stderr)
	}
	// max-severity judges an advisory rated by its CVSS v4.0 vector alone.
	os.WriteFile(policyFile, []byte("apiVersion: lockstep.dev/v1\nkind: Policy\nrequire:\n  dependencies: {malicious: allow, max-severity: medium, max-age: 100000d, allow: [GHSA-x4qr-2fvf-3mr5, PYSEC-2023-135, LOCKSTEP-TEST-FUZZY, DEBIAN-TEST-DPKG]}\n"), 0o644)
	r = p.mustRun(1, "audit-deps", "last", "--osv", fixture, "--policy", policyFile)
	if !strings.Contains(r.stderr, "GHSA-jm77-qphf-c4w8") || !strings.Contains(r.stderr, "severity high is above max-severity medium") {
		t.Errorf("max-severity medium with a CVSS v4.0 advisory rated high:\n%s", r.stderr)
	}
	os.WriteFile(policyFile, []byte("apiVersion: lockstep.dev/v1\nkind: Policy\nrequire:\n  dependencies: {malicious: allow, max-severity: critical, max-age: 100000d, allow: [LOCKSTEP-TEST-FUZZY, DEBIAN-TEST-DPKG], unverified-files: deny}\n"), 0o644)
	r = p.mustRun(1, "audit-deps", "last", "--osv", fixture, "--policy", policyFile)
	if !strings.Contains(r.stderr, "installed files train:") || !strings.Contains(r.stderr, "modified (expected") {
		t.Errorf("unverified-files: deny on an environment with a patched installed file:\n%s", r.stderr)
	}
	os.WriteFile(policyFile, []byte("apiVersion: lockstep.dev/v1\nkind: Policy\nrequire:\n  dependencies: {malicious: allow, max-severity: critical, max-age: 100000d, allow: [LOCKSTEP-TEST-FUZZY, DEBIAN-TEST-DPKG]}\n"), 0o644)
	p.mustRun(0, "audit-deps", "last", "--osv", fixture, "--policy", policyFile)

	// The reports are in the store: a rebuilt catalog indexes them again,
	// and keeps the imported advisories.
	p.mustRun(0, "check", "--rebuild-catalog")
	if show := p.mustRun(0, "show", "last").stdout; !strings.Contains(show, "deps 6 advisories") {
		t.Errorf("after a rebuild, show says:\n%s", show)
	}
	if st := p.mustRun(0, "vulndb", "status").stdout; !strings.Contains(st, "PyPI") {
		t.Errorf("after a rebuild, vulndb status says:\n%s", st)
	}
	p.mustRun(2, "audit-deps", "last", "--osv", filepath.Join(p.dir, "absent.zip"))
}
