package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/query"
	"lockstep.dev/lockstep/internal/sbom/osv"
)

type auditDepsOptions struct {
	osvPath  string
	policy   string
	signWith string
}

func newAuditDepsCommand(g *globalOptions) *cobra.Command {
	var o auditDepsOptions
	c := &cobra.Command{
		Use:   "audit-deps RUN",
		Short: "Check a run's packages against OSV advisories: vulnerabilities and malicious packages",
		Long: `Check the packages of every step's environment (the interpreter's and the OS
packages lockstep recorded) against the OSV advisories imported with
` + "`lockstep vulndb import`" + `, or against the export --osv names, offline. For
each step it reports the advisory id, aliases (CVE, GHSA), severity (the
base score computed from the CVSS v4.0 or v3.x vector and its rating, else
the database's rating; a vector that does not parse is named), the
package and version, and the versions that fix it. MAL- advisories mark
known malicious packages. An advisory whose ranges cannot be evaluated is
reported as undecided, a missing advisory database as missing, and the age
of each database is shown.

The report is stored, indexed under the run (lockstep show, lockstep bom and
verify --policy read it) and, with --sign-with, signed as an in-toto
statement over the audited environments. It is judged by require.dependencies
of --policy, or by default: nothing above high severity, no malicious
package, advisory data at most 7 days old.

RUN is an id, a unique prefix or "last".

Exit codes: 0 the policy passes, 1 it is violated, 2 bad usage, an unknown run
or an unreadable export.`,
		Example: `  lockstep vulndb import PyPI-all.zip && lockstep audit-deps last
  lockstep audit-deps last --osv osv-advisories/ --json
  lockstep audit-deps 4f1c --policy policy.yaml --sign-with keys/platform.key`,
		Args: exactArgs(1, "one RUN (an id, a unique prefix or last)"),
		RunE: func(c *cobra.Command, args []string) error { return runAuditDeps(c.Context(), o, g, args[0]) },
	}
	c.Flags().StringVar(&o.osvPath, "osv", "", "OSV export (all.zip or a folder of OSV JSON) to audit against instead of the imported database")
	c.Flags().StringVar(&o.policy, "policy", "", "judge by this policy file's require.dependencies (default: max-severity high, malicious deny, max-age 7d)")
	c.Flags().StringVar(&o.signWith, "sign-with", "", "sign the report with this private key")
	return c
}

// auditOutput is audit-deps --json.
type auditOutput struct {
	Report *osv.Report   `json:"report"`
	Digest core.Digest   `json:"digest"`
	Bundle core.Digest   `json:"bundle,omitempty"`
	Policy *policy.Check `json:"policy"`
}

func runAuditDeps(ctx context.Context, o auditDepsOptions, g *globalOptions, ref string) error {
	rule := policy.DefaultDependencyRule()
	if o.policy != "" {
		pol, err := policy.Load(o.policy)
		if err != nil {
			return &usageError{err}
		}
		if pol.Require.Dependencies == nil {
			return usageErrorf("policy %s has no require.dependencies; add one, or leave out --policy for the default", o.policy)
		}
		rule = pol.Require.Dependencies
	}
	var signer core.Signer
	if o.signWith != "" {
		s, err := attest.LoadSigner(o.signWith, g.passphrase(false))
		if err != nil {
			return usageErrorf("--sign-with %s: %v", o.signWith, err)
		}
		signer = s
	}
	h, done, err := g.openHomeToWrite(ctx, false)
	if err != nil {
		return err
	}
	defer done()
	now := time.Now()
	var src osv.Source = h.Catalog
	if o.osvPath != "" {
		if src, err = exportSource(o.osvPath); err != nil {
			return err
		}
	}
	run, err := query.LoadRun(ctx, h.Store, h.Catalog, ref)
	if err != nil {
		return err
	}
	steps, envs, err := stepEnvironments(h, run)
	if err != nil {
		return err
	}
	rep, err := osv.Audit(ctx, src, run.Record.ID, steps, now)
	if err != nil {
		return err
	}
	d, err := osv.Save(ctx, h.Store, h.Catalog, rep)
	if err != nil {
		return err
	}
	out := auditOutput{Report: rep, Digest: d}
	if signer != nil {
		if out.Bundle, err = osv.Sign(ctx, h.Store, h.Catalog, rep, signer); err != nil {
			return err
		}
	}
	check := rule.Judge(rep, d, envs)
	out.Policy = &check
	p := newPrinter(g)
	if g.json {
		if err := p.json(out); err != nil {
			return err
		}
	} else {
		printAudit(p, rep, d, out.Bundle, check)
	}
	if !check.Passed {
		res := policy.Result{Checks: []policy.Check{check}}
		return &failedError{"dependencies refused: " + strings.Join(res.Failures(), "; ")}
	}
	return nil
}

// exportSource reads an OSV export for one audit; its age is the age of
// the file (or folder) as downloaded.
func exportSource(path string) (osv.Source, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, usageErrorf("--osv %s: %v", path, err)
	}
	ex, err := osv.ReadExport(path)
	if err != nil {
		return nil, &usageError{err}
	}
	src, _, err := ex.AsSource(fi.ModTime())
	if err != nil {
		return nil, &usageError{err}
	}
	return src, nil
}

// stepEnvironments reads the environment of each step of run, in the
// order the steps started.
func stepEnvironments(h *engine.Home, run *query.Run) ([]osv.StepEnvironment, map[core.Digest]*capture.Environment, error) {
	var steps []osv.StepEnvironment
	envs := map[core.Digest]*capture.Environment{}
	for _, step := range run.Steps() {
		d := run.Tasks[step].Environment
		if d == "" {
			steps = append(steps, osv.StepEnvironment{Step: step})
			continue
		}
		if _, ok := envs[d]; !ok {
			_, env, err := query.ReadEnvironment(h.Store, d)
			if err != nil {
				return nil, nil, err
			}
			envs[d] = env
		}
		steps = append(steps, osv.StepEnvironment{Step: step, Digest: d, Env: envs[d]})
	}
	return steps, envs, nil
}

// printAudit prints the report: databases, then each step's findings.
func printAudit(p *printer, rep *osv.Report, d, bundle core.Digest, check policy.Check) {
	for _, db := range rep.Databases {
		if db.Missing {
			p.result("%s no %s advisories imported: those packages were not checked", p.paint(red, "✗"), db.Ecosystem)
			continue
		}
		p.result("advisories %s: %d from %s, imported %s (%s old)", db.Ecosystem, db.Advisories, db.Source,
			db.Imported.Local().Format(time.RFC3339), db.Age().Round(time.Minute))
	}
	for _, s := range rep.Steps {
		p.result("")
		p.result("%s  %d packages, %d advisories", p.paint(bold, s.Step), s.Packages, len(s.Findings))
		for _, u := range s.Unchecked {
			p.result("  %s not checked: %s", p.paint(yellow, "!"), u)
		}
		for _, f := range s.Findings {
			p.result("  %s", findingLine(p, f))
			if f.BadVector != "" {
				p.result("    %s %s: rated from its other scores, its database's rating or unknown", p.paint(yellow, "!"), f.BadVector)
			}
		}
	}
	p.result("")
	p.result("report %s%s", d, map[bool]string{true: "", false: ", signed: bundle " + string(bundle)}[bundle == ""])
	mark := p.paint(green, "✓")
	if !check.Passed {
		mark = p.paint(red, "✗")
	}
	p.result("%s %s", mark, check.Reason)
	for _, c := range check.Checks {
		for _, cc := range append([]policy.Check{c}, c.Checks...) {
			if !cc.Passed && len(cc.Checks) == 0 {
				p.result("  %s %s: %s", p.paint(red, "✗"), cc.Name, cc.Reason)
			}
		}
	}
}

// findingLine is one finding: id, class and severity, package, fix, aliases.
func findingLine(p *printer, f osv.Finding) string {
	sev := f.Severity
	if f.Score > 0 {
		sev += fmt.Sprintf(" %.1f", f.Score)
	}
	switch {
	case f.Malicious:
		sev = p.paint(red, "MALICIOUS")
	case f.Undecided != "":
		sev = p.paint(yellow, "undecided")
	}
	line := fmt.Sprintf("%-22s %-14s %s %s", f.ID, sev, f.Package, f.Version)
	if len(f.Fixed) > 0 {
		line += " → fixed in " + strings.Join(f.Fixed, ", ")
	}
	if len(f.Aliases) > 0 {
		line += " (" + strings.Join(f.Aliases, ", ") + ")"
	}
	if f.Summary != "" {
		line += ": " + f.Summary
	}
	if f.Undecided != "" {
		line += " [" + f.Undecided + "]"
	}
	return line
}
