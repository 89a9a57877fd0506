package policy_test

import (
	"context"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/sbom/osv"
)

// TestVerifyJudgesTheNewestDependencyAudit evaluates a good run under a
// policy requiring dependencies: unaudited, then audited with a malicious
// package, then audited again clean.
func TestVerifyJudgesTheNewestDependencyAudit(t *testing.T) {
	w := newWorld(t, good())
	withDeps := []string{"modelSignature: {signedBy: builders}", "modelSignature: {signedBy: builders}\n  dependencies: {max-severity: high}"}
	res, text := w.evaluate(withDeps...)
	expect(t, res, text, false, "✗ dependencies: run r1 has no dependency audit (lockstep audit-deps r1)")

	ctx := context.Background()
	now := time.Now()
	report := func(at time.Time, findings ...osv.Finding) {
		rep := &osv.Report{Type: osv.ReportType, Run: "r1", Created: at,
			Databases: []osv.Database{{Ecosystem: "PyPI", Source: "PyPI-all.zip", Advisories: 100, AgeSeconds: 3600}},
			Steps:     []osv.Step{{Step: "train", Packages: 3, Findings: findings}}}
		if _, err := osv.Save(ctx, w.h.Store, w.h.Catalog, rep); err != nil {
			t.Fatal(err)
		}
	}
	report(now.Add(-time.Hour), osv.Finding{ID: "MAL-2025-1", Malicious: true, Severity: "critical", Ecosystem: "PyPI", Package: "evil", Version: "1"})
	res, text = w.evaluate(withDeps...)
	expect(t, res, text, false, "✗ dependencies", "✗ MAL-2025-1 evil 1: a known malicious package", "✓ advisories PyPI: 100 advisories from PyPI-all.zip")

	report(now, osv.Finding{ID: "GHSA-1", Severity: "medium", Ecosystem: "PyPI", Package: "requests", Version: "2.0"})
	res, text = w.evaluate(withDeps...)
	expect(t, res, text, true, "✓ dependencies: 1 steps audited against 1 advisory databases", "✓ GHSA-1 requests 2.0: severity medium, within max-severity high")
}
