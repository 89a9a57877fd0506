package policy

import (
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sbom/osv"
)

// auditReport is a report of one step with the given findings and a
// PyPI database of the given age.
func auditReport(age time.Duration, findings ...osv.Finding) *osv.Report {
	return &osv.Report{Type: osv.ReportType, Run: "r1",
		Databases: []osv.Database{{Ecosystem: "PyPI", Source: "all.zip", Advisories: 10, AgeSeconds: int64(age / time.Second)}},
		Steps:     []osv.Step{{Step: "train", Environment: core.DigestOf([]byte("env")), Packages: 5, Findings: findings}}}
}

func TestDependencyRuleJudges(t *testing.T) {
	evil := osv.Finding{ID: "MAL-2099-0001", Malicious: true, Severity: "critical", Package: "evil", Version: "0.1"}
	high := osv.Finding{ID: "GHSA-high", Severity: "high", Package: "a", Version: "1"}
	crit := osv.Finding{ID: "GHSA-crit", Aliases: []string{"CVE-2023-1"}, Severity: "critical", Package: "b", Version: "1", Fixed: []string{"2"}}
	unknown := osv.Finding{ID: "PYSEC-1", Severity: "unknown", Package: "c", Version: "1"}
	undecided := osv.Finding{ID: "X-1", Severity: "low", Package: "d", Version: "1", Undecided: `range type "FUZZY"`}
	def := DefaultDependencyRule()
	denyUnverified := &DependencyRule{MaxSeverity: osv.RatingHigh, Malicious: "deny", UnverifiedFiles: "deny"}
	for _, tc := range []struct {
		name    string
		rule    *DependencyRule
		rep     *osv.Report
		allowed bool
		reason  string
	}{
		{"clean", def, auditReport(time.Hour), true, ""},
		{"high is within high", def, auditReport(time.Hour, high), true, ""},
		{"critical is above high", def, auditReport(time.Hour, crit), false, "severity critical is above max-severity high; fixed in 2"},
		{"critical allowed by alias", &DependencyRule{MaxSeverity: osv.RatingHigh, Malicious: "deny", Allow: []string{"CVE-2023-1"}}, auditReport(time.Hour, crit), true, ""},
		{"unscored fails closed", &DependencyRule{MaxSeverity: osv.RatingCritical, Malicious: "deny"}, auditReport(time.Hour, unknown), false, "severity unknown is above max-severity critical"},
		{"undecided fails", def, auditReport(time.Hour, undecided), false, "could not be evaluated"},
		{"undecided allowed by id", &DependencyRule{MaxSeverity: osv.RatingHigh, Malicious: "deny", Allow: []string{"X-1"}}, auditReport(time.Hour, undecided), true, ""},
		{"malicious is fatal even if allowed", &DependencyRule{MaxSeverity: osv.RatingCritical, Malicious: "deny", Allow: []string{"MAL-2099-0001"}}, auditReport(time.Hour, evil), false, "known malicious package"},
		{"malicious allow", &DependencyRule{MaxSeverity: osv.RatingCritical, Malicious: "allow"}, auditReport(time.Hour, evil), true, ""},
		{"stale database", def, auditReport(10 * 24 * time.Hour), false, "10 days old at the audit, more than max-age 7d"},
		{"missing database", def, &osv.Report{Databases: []osv.Database{{Ecosystem: "Debian", Missing: true}}}, false, "no Debian advisories were imported"},
		{"unverified environment", &DependencyRule{MaxSeverity: osv.RatingHigh, Malicious: "deny", UnverifiedFiles: "deny"}, auditReport(time.Hour), false, "the environment was not verified"},
		{"verified environment", denyUnverified, auditReport(time.Hour), true, ""},
		{"modified file", denyUnverified, auditReport(time.Hour), false, "requests 2.31.0: requests/__init__.py modified (expected sha256:aa, found sha256:bb)"},
		{"unchecked packages", def, &osv.Report{Steps: []osv.Step{{Step: "s", Unchecked: []string{"3 apk packages of alpine"}}}}, false, "3 apk packages of alpine: not checked"},
	} {
		env := &capture.Environment{}
		switch tc.name {
		case "verified environment":
			env = &capture.Environment{Interpreter: &capture.Interpreter{Kind: "python"}, Files: &capture.FileCheck{Packages: 3, Files: 40}}
		case "modified file":
			env = &capture.Environment{Interpreter: &capture.Interpreter{Kind: "python"}, Files: &capture.FileCheck{Packages: 3, Files: 40,
				Modified: []capture.ChangedFile{{Manager: "pip", Package: "requests", Version: "2.31.0", Path: "requests/__init__.py", Expected: "sha256:aa", Actual: "sha256:bb"}}}}
		case "unverified environment":
			env = &capture.Environment{Interpreter: &capture.Interpreter{Kind: "python"}}
		}
		envs := map[core.Digest]*capture.Environment{core.DigestOf([]byte("env")): env}
		r := &Result{Checks: []Check{tc.rule.Judge(tc.rep, core.DigestOf([]byte("report")), envs)}}
		r.Allowed = !failed(r.Checks)
		if r.Allowed != tc.allowed || !strings.Contains(strings.Join(r.Failures(), "\n"), tc.reason) {
			t.Errorf("%s: allowed %v, failures %q; want allowed %v and %q", tc.name, r.Allowed, r.Failures(), tc.allowed, tc.reason)
		}
	}
}
