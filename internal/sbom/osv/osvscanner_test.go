package osv

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestAgreesWithOSVScanner audits the PyPI packages of debianPython()
// with osv-scanner in its offline mode (google/osv-scanner v1.9, `go
// install github.com/google/osv-scanner/cmd/osv-scanner@v1.9.2`) over the
// same fixture, and checks that the findings differ exactly where they
// should:
//   - osv-scanner compares an advisory's package name as written, so it
//     misses GHSA-jm77-qphf-c4w8 ("Cryptography") and MAL-2099-0001
//     ("lockstep_test.evil"); PyPI names are case-insensitive and treat
//   - _ . alike (PEP 503), so lockstep reports both;
//   - osv-scanner drops an advisory whose range type it does not know
//     (LOCKSTEP-TEST-FUZZY); lockstep reports it as undecided.
func TestAgreesWithOSVScanner(t *testing.T) {
	scanner := os.Getenv("OSV_SCANNER")
	if scanner == "" {
		var err error
		if scanner, err = exec.LookPath("osv-scanner"); err != nil {
			t.Skip("osv-scanner is not installed (go install github.com/google/osv-scanner/cmd/osv-scanner@v1.9.2, or set OSV_SCANNER)")
		}
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "db", "osv-scanner", "PyPI")
	if err := os.MkdirAll(db, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(ZipDir(t, fixture))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(db, "all.zip"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	env := debianPython()
	env.OSPackages = nil
	var req strings.Builder
	for _, p := range env.Interpreter.Packages {
		req.WriteString(p.Name + "==" + p.Version + "\n")
	}
	reqFile := filepath.Join(dir, "requirements.txt")
	if err := os.WriteFile(reqFile, []byte(req.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(scanner, "scan", "--experimental-offline", "--format", "json", "-L", reqFile)
	cmd.Env = append(os.Environ(), "OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="+filepath.Join(dir, "db"))
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatalf("osv-scanner: %v\n%s", err, out)
	}
	var res struct {
		Results []struct {
			Packages []struct {
				Package         struct{ Name, Version string }
				Vulnerabilities []struct{ ID string }
			}
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("osv-scanner output: %v\n%s", err, out)
	}
	var theirs []string
	for _, r := range res.Results {
		for _, p := range r.Packages {
			for _, v := range p.Vulnerabilities {
				theirs = append(theirs, v.ID+" "+p.Package.Name)
			}
		}
	}
	slices.Sort(theirs)

	cat, _ := imported(t)
	rep, err := Audit(context.Background(), cat, "r", []StepEnvironment{{Step: "s", Env: env}}, importTime)
	if err != nil {
		t.Fatal(err)
	}
	var ours []string
	for _, f := range rep.Findings() {
		ours = append(ours, f.ID+" "+f.Package)
	}
	slices.Sort(ours)
	onlyOurs := slices.DeleteFunc(slices.Clone(ours), func(s string) bool { return slices.Contains(theirs, s) })
	onlyTheirs := slices.DeleteFunc(slices.Clone(theirs), func(s string) bool { return slices.Contains(ours, s) })
	want := []string{"GHSA-jm77-qphf-c4w8 cryptography", "LOCKSTEP-TEST-FUZZY certifi", "MAL-2099-0001 lockstep-test-evil"}
	if len(onlyTheirs) > 0 || !reflect.DeepEqual(onlyOurs, want) {
		t.Errorf("osv-scanner found %q\nlockstep found %q\nonly lockstep: %q (want %q)\nonly osv-scanner: %q (want none)",
			theirs, ours, onlyOurs, want, onlyTheirs)
	}
}
