package osv

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/core"
)

const (
	v31High  = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H"                    // 7.4 high
	v4Medium = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N" // 6.9 medium
	v4Bad    = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N"      // SA missing
)

// advisory is an OSV entry about pkg (PyPI, every version before 2.0)
// with the given severity lists: the advisory's, then the affected
// entry's.
func advisory(id, severity, affectedSeverity, dbSeverity string) []byte {
	return fmt.Appendf(nil, `{"id": %q, "modified": "2024-01-05T10:00:00Z", "severity": [%s],
  "affected": [{"package": {"ecosystem": "PyPI", "name": "pkg"}, "severity": [%s],
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}],
  "database_specific": {"severity": %q}}`, id, severity, affectedSeverity, dbSeverity)
}

func sev(typ, vector string) string { return fmt.Sprintf(`{"type": %q, "score": %q}`, typ, vector) }

// TestSeverityFromCVSSVectors audits one installed package against
// advisories rated in each way OSV entries are: the finding's severity,
// score and vector, and the bad vector it names.
func TestSeverityFromCVSSVectors(t *testing.T) {
	for _, tc := range []struct {
		name, severity, affected, db string
		want                         string // severity score vector-prefix
		bad                          string
	}{
		{"v4 only", sev("CVSS_V4", v4Medium), "", "HIGH", "medium 6.9 CVSS:4.0/", ""},
		{"v4 over v3", sev("CVSS_V3", v31High) + "," + sev("CVSS_V4", v4Medium), "", "", "medium 6.9 CVSS:4.0/", ""},
		{"the entry's own first", sev("CVSS_V4", v4Medium), sev("CVSS_V3", v31High), "", "high 7.4 CVSS:3.1/", ""},
		{"a bad v4, then a v3", sev("CVSS_V4", v4Bad) + "," + sev("CVSS_V3", v31High), "", "", "high 7.4 CVSS:3.1/",
			"advisory TEST-1: field severity[0].score (CVSS_V4): " + `CVSS vector "` + v4Bad + `": base metric SA is missing`},
		{"a bad v4 alone: the database's rating", sev("CVSS_V4", v4Bad), "", "MODERATE", "medium 0 ",
			"advisory TEST-1: field severity[0].score (CVSS_V4)"},
		{"a bad v4 in the entry, nothing else", "", sev("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:lear"), "",
			"unknown 0 ", `advisory TEST-1: field affected[0].severity[0].score (CVSS_V4): CVSS vector "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/…": "U:lear" is not a known metric and value`},
		{"v2 is not scored", sev("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P"), "", "LOW", "low 0 ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex, err := ReadExport(WriteZip(t, map[string][]byte{"TEST-1.json": advisory("TEST-1", tc.severity, tc.affected, tc.db)}))
			if err != nil || len(ex.Advisories) != 1 {
				t.Fatalf("the advisory was not kept: %v %+v", err, ex)
			}
			cat := sqlite.OpenTemp(t)
			im, err := Import(context.Background(), cat, ex, nil, importTime)
			if err != nil {
				t.Fatal(err)
			}
			env := &capture.Environment{Type: capture.EnvironmentType,
				Interpreter: &capture.Interpreter{Kind: "python", Packages: []capture.Package{{Name: "pkg", Version: "1.0"}}}}
			rep, err := Audit(context.Background(), cat, "r", []StepEnvironment{{Step: "s", Digest: core.DigestOf([]byte("e")), Env: env}}, importTime)
			if err != nil {
				t.Fatal(err)
			}
			fs := rep.Findings()
			if len(fs) != 1 {
				t.Fatalf("findings %+v, want one", fs)
			}
			f := fs[0]
			if got := fmt.Sprintf("%s %v %s", f.Severity, f.Score, f.Vector); !strings.HasPrefix(got, tc.want) {
				t.Errorf("finding rated %q, want %q…", got, tc.want)
			}
			if !strings.HasPrefix(f.BadVector, tc.bad) || (tc.bad == "") != (f.BadVector == "") {
				t.Errorf("bad vector %q, want %q…", f.BadVector, tc.bad)
			}
			if tc.bad == "" && im.BadVectors != nil || tc.bad != "" && (len(im.BadVectors) != 1 || !strings.HasPrefix(im.BadVectors[0], tc.bad)) {
				t.Errorf("import reported bad vectors %q, want %q…", im.BadVectors, tc.bad)
			}
			if strings.Contains(f.BadVector, "\n") {
				t.Errorf("a bad vector is reported over several lines: %q", f.BadVector)
			}
		})
	}
}

// TestWorstEntryCounts rates an advisory with two affected entries for
// one package by the worse of them.
func TestWorstEntryCounts(t *testing.T) {
	a, err := Parse([]byte(`{"id": "TEST-2", "modified": "2024-01-05T10:00:00Z", "affected": [
  {"package": {"ecosystem": "PyPI", "name": "pkg"}, "severity": [` + sev("CVSS_V4", v4Medium) + `], "versions": ["1.0"]},
  {"package": {"ecosystem": "PyPI", "name": "pkg"}, "severity": [` + sev("CVSS_V3", v31High) + `], "versions": ["1.0"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := findingFor(a, "PyPI", "pkg", installed{name: "pkg", version: "1.0"})
	if got := []any{ok, f.Severity, f.Score}; !reflect.DeepEqual(got, []any{true, "high", 7.4}) {
		t.Errorf("finding %v, want the high one", got)
	}
}
