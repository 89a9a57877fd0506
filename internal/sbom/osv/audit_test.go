package osv

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/home"
)

const fixture = "testdata/fixture"

var importTime = time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)

// debianPython is the environment of a step run with Debian 12's
// python3 and the made-up malicious package installed.
func debianPython() *capture.Environment {
	return &capture.Environment{
		Type: capture.EnvironmentType, OS: capture.OSInfo{ID: "debian", VersionID: "12"},
		Interpreter: &capture.Interpreter{Kind: "python", Version: "3.11.2", Packages: []capture.Package{
			{Name: "certifi", Version: "2022.9.24"}, {Name: "cryptography", Version: "38.0.4"},
			{Name: "lockstep-test-evil", Version: "0.1"}, {Name: "pyjwt", Version: "2.6.0"}, {Name: "pyyaml", Version: "6.0"},
		}},
		OSPackages: &capture.PackageSet{Manager: "dpkg", Packages: []capture.Package{{Name: "dpkg", Version: "1.21.22", Arch: "amd64"}}},
	}
}

// imported opens a catalog holding the fixture, imported from its zip.
func imported(t *testing.T) (catalog.Catalog, *Imported) {
	t.Helper()
	cat := sqlite.OpenTemp(t)
	ex, err := ReadExport(ZipDir(t, fixture))
	if err != nil {
		t.Fatal(err)
	}
	im, err := Import(context.Background(), cat, ex, nil, importTime)
	if err != nil {
		t.Fatal(err)
	}
	return cat, im
}

func TestImportRecordsSourceAndReportsWhatItCannotEvaluate(t *testing.T) {
	cat, im := imported(t)
	var ecos []string
	for _, e := range im.Ecosystems {
		ecos = append(ecos, e.Ecosystem+":"+string(rune('0'+e.Advisories)))
		if !e.Imported.Equal(importTime) || !e.Digest.Valid() || !strings.HasSuffix(e.Source, "all.zip") {
			t.Errorf("import of %s recorded as %+v", e.Ecosystem, e)
		}
	}
	if want := []string{"Debian:1", "PyPI:7", "npm:1"}; !reflect.DeepEqual(ecos, want) {
		t.Errorf("imported %v, want %v", ecos, want)
	}
	if im.Withdrawn != 1 {
		t.Errorf("withdrawn = %d, want 1", im.Withdrawn)
	}
	if want := []string{`LOCKSTEP-TEST-FUZZY: range type "FUZZY"`}; !reflect.DeepEqual(im.Undecidable, want) {
		t.Errorf("undecidable = %v, want %v", im.Undecidable, want)
	}
	stored, err := cat.AdvisoryImports(context.Background())
	if err != nil || !reflect.DeepEqual(stored, im.Ecosystems) {
		t.Errorf("catalog imports = %+v, %v", stored, err)
	}
}

func TestAuditFindsWhatTheFixtureSays(t *testing.T) {
	cat, _ := imported(t)
	now := importTime.Add(50 * time.Hour)
	env := debianPython()
	rep, err := Audit(context.Background(), cat, "r1", []StepEnvironment{
		{Step: "train", Digest: core.DigestOf([]byte("env")), Env: env},
		{Step: "eval", Digest: core.DigestOf([]byte("env")), Env: env},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range rep.Steps[0].Findings {
		got[f.ID+" "+f.Package+"@"+f.Version] = strings.Join([]string{f.Severity, strings.Join(f.Fixed, ","), f.Undecided}, "|")
	}
	want := map[string]string{
		"GHSA-x4qr-2fvf-3mr5 cryptography@38.0.4": "high|39.0.1|",
		"GHSA-jm77-qphf-c4w8 cryptography@38.0.4": "high|41.0.3|",
		"PYSEC-2023-135 certifi@2022.9.24":        "critical|2023.7.22|",
		"MAL-2099-0001 lockstep-test-evil@0.1":    "critical||",
		"LOCKSTEP-TEST-FUZZY certifi@2022.9.24":   `unknown||range type "FUZZY" is not one lockstep evaluates (ECOSYSTEM, SEMVER, GIT)`,
		"DEBIAN-TEST-DPKG dpkg@1.21.22":           "unknown|1.21.22+deb12u9|",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%v\nwant\n%v", got, want)
	}
	for _, f := range rep.Steps[0].Findings {
		if f.Malicious != (f.ID == "MAL-2099-0001") {
			t.Errorf("%s: malicious = %v", f.ID, f.Malicious)
		}
		if f.ID == "GHSA-x4qr-2fvf-3mr5" && (f.Score != 7.4 || f.Vector == "" || !reflect.DeepEqual(f.Aliases, []string{"CVE-2023-0286"})) {
			t.Errorf("GHSA-x4qr-2fvf-3mr5: score %v vector %q aliases %v", f.Score, f.Vector, f.Aliases)
		}
		if f.ID == "GHSA-jm77-qphf-c4w8" && (f.Score != 8.7 || !strings.HasPrefix(f.Vector, "CVSS:4.0/")) {
			t.Errorf("GHSA-jm77-qphf-c4w8, rated by CVSS v4.0 alone: score %v vector %q", f.Score, f.Vector)
		}
		if f.ID == "DEBIAN-TEST-DPKG" && f.Ecosystem != "Debian:12" {
			t.Errorf("dpkg finding in ecosystem %q", f.Ecosystem)
		}
	}
	if !reflect.DeepEqual(rep.Steps[0].Findings, rep.Steps[1].Findings) || rep.Steps[1].Step != "eval" {
		t.Error("two steps with one environment got different findings")
	}
	if len(rep.Databases) != 2 || rep.Databases[1].Ecosystem != "PyPI" || rep.Databases[1].Age() != 50*time.Hour {
		t.Errorf("databases = %+v, want Debian and PyPI, 50h old", rep.Databases)
	}
}

func TestAuditReportsAMissingDatabase(t *testing.T) {
	cat := sqlite.OpenTemp(t)
	env := debianPython()
	env.OSPackages = &capture.PackageSet{Manager: "apk", Packages: []capture.Package{{Name: "musl", Version: "1.2.4-r2"}}}
	env.OS.ID = "alpine"
	rep, err := Audit(context.Background(), cat, "r1", []StepEnvironment{{Step: "s", Env: env}}, importTime)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Databases) != 1 || !rep.Databases[0].Missing || rep.Databases[0].Ecosystem != "PyPI" {
		t.Errorf("databases = %+v, want PyPI missing", rep.Databases)
	}
	if len(rep.Steps[0].Unchecked) != 1 || !strings.Contains(rep.Steps[0].Unchecked[0], "1 apk packages of alpine") {
		t.Errorf("unchecked = %q, want the apk packages named", rep.Steps[0].Unchecked)
	}
}

func TestEvaluateRanges(t *testing.T) {
	af := func(eco string, versions []string, ranges ...Range) *Affected {
		return &Affected{Package: Package{Ecosystem: eco, Name: "p"}, Ranges: ranges, Versions: versions}
	}
	eco := func(events ...Event) Range { return Range{Type: RangeEcosystem, Events: events} }
	for _, tc := range []struct {
		name  string
		af    *Affected
		v     string
		hit   bool
		fixed string
		why   string
	}{
		{"below introduced", af("PyPI", nil, eco(Event{Introduced: "1.0"}, Event{Fixed: "2.0"})), "0.9", false, "", ""},
		{"at introduced", af("PyPI", nil, eco(Event{Introduced: "1.0"}, Event{Fixed: "2.0"})), "1.0", true, "2.0", ""},
		{"pre-release of the fix", af("PyPI", nil, eco(Event{Introduced: "1.0"}, Event{Fixed: "2.0"})), "2.0rc1", true, "2.0", ""},
		{"at fixed", af("PyPI", nil, eco(Event{Introduced: "1.0"}, Event{Fixed: "2.0"})), "2.0", false, "", ""},
		{"events out of order", af("PyPI", nil, eco(Event{Fixed: "2.0"}, Event{Introduced: "1.0"})), "1.5", true, "2.0", ""},
		{"two ranges, second", af("PyPI", nil, eco(Event{Introduced: "0"}, Event{Fixed: "1.0"}, Event{Introduced: "2.0"}, Event{Fixed: "2.5"})), "2.1", true, "2.5", ""},
		{"between ranges", af("PyPI", nil, eco(Event{Introduced: "0"}, Event{Fixed: "1.0"}, Event{Introduced: "2.0"}, Event{Fixed: "2.5"})), "1.5", false, "", ""},
		{"last_affected inclusive", af("PyPI", nil, eco(Event{Introduced: "0"}, Event{LastAffected: "1.4"})), "1.4", true, "", ""},
		{"after last_affected", af("PyPI", nil, eco(Event{Introduced: "0"}, Event{LastAffected: "1.4"})), "1.4.post1", false, "", ""},
		{"listed version", af("PyPI", []string{"3.0"}), "3.0.0", true, "", ""},
		{"semver", af("npm", nil, Range{Type: RangeSemVer, Events: []Event{{Introduced: "1.0.0"}, {Fixed: "1.2.3"}}}), "1.2.3-rc.1", true, "1.2.3", ""},
		{"git only", af("PyPI", nil, Range{Type: RangeGit, Events: []Event{{Introduced: "abc"}}}), "1.0", false, "", ""},
		{"unknown range type", af("PyPI", nil, Range{Type: "FUZZY", Events: []Event{{Introduced: "0"}}}), "1.0", false, "", "FUZZY"},
		{"no ordering", af("Alpine:v3.19", nil, eco(Event{Introduced: "0"})), "1.0-r0", false, "", "no version ordering"},
		{"unreadable installed version", af("PyPI", nil, eco(Event{Introduced: "1.0"})), "not a version", false, "", "not a PEP 440 version"},
		{"unreadable advisory version", af("PyPI", nil, eco(Event{Introduced: "0"}, Event{Fixed: "x.y"})), "1.0", false, "", "x.y"},
		{"debian", af("Debian:12", nil, eco(Event{Introduced: "0"}, Event{Fixed: "3.0.11-1~deb12u2"})), "3.0.11-1~deb12u1", true, "3.0.11-1~deb12u2", ""},
	} {
		m := Evaluate(tc.af, tc.v)
		if m.Affected != tc.hit || strings.Join(m.Fixed, ",") != tc.fixed || (tc.why == "") != (m.Undecided == "") || !strings.Contains(m.Undecided, tc.why) {
			t.Errorf("%s: Evaluate(%s) = %+v; want affected %v fixed %q undecided ~%q", tc.name, tc.v, m, tc.hit, tc.fixed, tc.why)
		}
	}
}

func TestReportIsStoredSignedAndRenderedInTheBOM(t *testing.T) {
	h := home.OpenTemp(t)
	ctx := context.Background()
	ex, err := ReadExport(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, h.Catalog, ex, []string{"PyPI"}, importTime); err != nil {
		t.Fatal(err)
	}
	env := core.DigestOf([]byte("env"))
	rep, err := Audit(ctx, h.Catalog, "r1", []StepEnvironment{{Step: "train", Digest: env, Env: debianPython()}}, importTime)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Databases) != 2 || !rep.Databases[0].Missing {
		t.Errorf("only PyPI was imported, yet Debian is not missing: %+v", rep.Databases)
	}
	d, err := Save(ctx, h.Store, h.Catalog, rep)
	if err != nil {
		t.Fatal(err)
	}
	back, bd, err := Latest(ctx, h.Store, h.Catalog, "r1")
	if err != nil || bd != d || !reflect.DeepEqual(back, rep) {
		t.Fatalf("Latest = %s, %v; want the saved report %s", bd, err, d)
	}
	key, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := Sign(ctx, h.Store, h.Catalog, rep, key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := attest.ReadBundle(h.Store, bundle)
	if err != nil {
		t.Fatal(err)
	}
	v, err := attest.Verify(b, []*attest.PublicKey{key.PublicKey}, env)
	if err != nil || v.PredicateType != PredicateType {
		t.Fatalf("the signed audit does not verify for its environment: %v", err)
	}
	rows, _ := h.Catalog.Attestations(ctx, env)
	if len(rows) != 1 || rows[0].Run != "r1" || rows[0].PredicateType != PredicateType {
		t.Errorf("attestations of the environment = %+v", rows)
	}
	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{}
	AddToBOM(bom, rep, d)
	if bom.Vulnerabilities == nil || len(*bom.Vulnerabilities) != 5 {
		t.Fatalf("BOM vulnerabilities = %+v, want the 5 PyPI advisories", bom.Vulnerabilities)
	}
	for _, v := range *bom.Vulnerabilities {
		ref := (*v.Affects)[0].Ref
		switch v.ID {
		case "MAL-2099-0001":
			if v.Properties == nil || ref != "pkg:pypi/lockstep-test-evil@0.1" {
				t.Errorf("malicious package rendered as %+v", v)
			}
		case "GHSA-x4qr-2fvf-3mr5":
			r := (*v.Ratings)[0]
			if r.Method != cdx.ScoringMethodCVSSv31 || *r.Score != 7.4 || r.Severity != cdx.SeverityHigh || ref != "pkg:pypi/cryptography@38.0.4" {
				t.Errorf("GHSA-x4qr-2fvf-3mr5 rendered as %+v %+v", v, r)
			}
		case "GHSA-jm77-qphf-c4w8":
			r := (*v.Ratings)[0]
			if r.Method != cdx.ScoringMethodCVSSv4 || *r.Score != 8.7 || r.Severity != cdx.SeverityHigh || !strings.HasPrefix(r.Vector, "CVSS:4.0/AV:N/") {
				t.Errorf("GHSA-jm77-qphf-c4w8 rendered as %+v %+v", v, r)
			}
		case "LOCKSTEP-TEST-FUZZY":
			if v.Analysis == nil || v.Analysis.State != cdx.IASInTriage {
				t.Errorf("an undecided advisory is not in triage: %+v", v)
			}
		}
	}
	if (*bom.Metadata.Properties)[0].Value != string(d) {
		t.Error("the BOM does not name the audit report")
	}
}
