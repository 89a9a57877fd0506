package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sbom/osv"
)

// DependencyRule judges a run's dependency audit (lockstep audit-deps):
// advisories above a severity, malicious packages, environments whose
// installed files were not verified, and the age of the advisory data.
type DependencyRule struct {
	// MaxSeverity is the highest severity let through; an advisory
	// without a severity counts as unknown, above critical.
	MaxSeverity osv.Rating
	// Malicious is "deny" (a MAL- advisory fails, whatever Allow says) or
	// "allow".
	Malicious string
	// UnverifiedFiles is "deny" (every environment must carry a
	// verification of its installed files that found nothing modified),
	// "allow", or "" (not judged).
	UnverifiedFiles string
	// Allow lists advisory ids (or aliases: a CVE, a GHSA) let through
	// whatever their severity, and undecided ones.
	Allow []string
	// MaxAge bounds the age of the advisory data when the audit ran.
	MaxAge time.Duration
}

// DefaultDependencyRule is what audit-deps applies without a policy
// file: nothing above high, no malicious package, data at most a week old.
func DefaultDependencyRule() *DependencyRule {
	return &DependencyRule{MaxSeverity: osv.RatingHigh, Malicious: "deny", MaxAge: 7 * 24 * time.Hour}
}

// dependencies reads require.dependencies.
func (r *reader) dependencies(n *yaml.Node) (*DependencyRule, error) {
	const where = "require.dependencies"
	f, err := r.fields(n, where, "max-severity", "malicious", "unverified-files", "allow", "max-age")
	if err != nil {
		return nil, err
	}
	rule := DefaultDependencyRule()
	if v := f["max-severity"]; v != nil {
		s, err := r.oneOf(v, where+".max-severity", "none", "low", "medium", "high", "critical")
		if err != nil {
			return nil, err
		}
		rule.MaxSeverity, _ = osv.ParseRating(s)
	}
	if v := f["malicious"]; v != nil {
		if rule.Malicious, err = r.oneOf(v, where+".malicious", "deny", "allow"); err != nil {
			return nil, err
		}
	}
	if v := f["unverified-files"]; v != nil {
		if rule.UnverifiedFiles, err = r.oneOf(v, where+".unverified-files", "deny", "allow"); err != nil {
			return nil, err
		}
	}
	if v := f["allow"]; v != nil {
		if rule.Allow, _, err = r.strings(v, where+".allow"); err != nil {
			return nil, err
		}
	}
	if v := f["max-age"]; v != nil {
		s, err := r.str(v, where+".max-age")
		if err != nil {
			return nil, err
		}
		if rule.MaxAge, err = parseAge(s); err != nil {
			return nil, r.errorf(v, "%s.max-age: %v", where, err)
		}
	}
	return rule, nil
}

// Judge checks an audit report against the rule. envs are the audited
// environments by digest (for unverified-files); ev is the report's
// digest, named by the checks.
func (rule *DependencyRule) Judge(rep *osv.Report, ev core.Digest, envs map[core.Digest]*capture.Environment) Check {
	var children []Check
	for _, db := range rep.Databases {
		children = append(children, rule.database(db, ev))
	}
	for _, s := range rep.Steps {
		var stepChecks []Check
		for _, f := range s.Findings {
			stepChecks = append(stepChecks, rule.finding(f, ev))
		}
		for _, u := range s.Unchecked {
			stepChecks = append(stepChecks, fail("unchecked", ev, u+": not checked against any advisory"))
		}
		if rule.UnverifiedFiles == "deny" {
			stepChecks = append(stepChecks, unverified(s, envs[s.Environment]))
		}
		children = append(children, group("step "+s.Step, fmt.Sprintf("%d packages, nothing the policy refuses", s.Packages),
			"the policy refuses what it runs with", stepChecks))
	}
	c := group("dependencies", fmt.Sprintf("%d steps audited against %d advisory databases", len(rep.Steps), len(rep.Databases)),
		"a step's dependencies are refused", children)
	c.Evidence = ev
	return c
}

// database checks one ecosystem's advisory data was there and fresh.
func (rule *DependencyRule) database(db osv.Database, ev core.Digest) Check {
	name := "advisories " + db.Ecosystem
	switch {
	case db.Missing:
		return fail(name, ev, fmt.Sprintf("no %s advisories were imported, so its packages were not checked (lockstep vulndb import %s-all.zip)", db.Ecosystem, db.Ecosystem))
	case rule.MaxAge > 0 && db.Age() > rule.MaxAge:
		return fail(name, ev, fmt.Sprintf("the %s advisories were %s old at the audit, more than max-age %s (import a newer export and audit again)", db.Ecosystem, ageWords(db.Age()), formatAge(rule.MaxAge)))
	}
	return pass(name, ev, fmt.Sprintf("%d advisories from %s, %s old", db.Advisories, db.Source, ageWords(db.Age())))
}

// finding judges one advisory about one package.
func (rule *DependencyRule) finding(f osv.Finding, ev core.Digest) Check {
	name := f.ID + " " + f.Package + " " + f.Version
	allowed := slices.Contains(rule.Allow, f.ID) || slices.ContainsFunc(f.Aliases, func(a string) bool { return slices.Contains(rule.Allow, a) })
	switch {
	case f.Malicious && rule.Malicious == "deny":
		return fail(name, ev, "a known malicious package: remove it (malicious: deny admits no exception)")
	case f.Malicious:
		return pass(name, ev, "a known malicious package, let in by malicious: allow")
	case allowed:
		return pass(name, ev, "allowed by id in the policy")
	case f.Undecided != "":
		return fail(name, ev, "may apply, its ranges could not be evaluated ("+f.Undecided+"); read it and allow it by id, or upgrade")
	case f.Rating() > rule.MaxSeverity:
		fix := "no fixed version is known"
		if len(f.Fixed) > 0 {
			fix = "fixed in " + f.Fixed[0]
		}
		return fail(name, ev, fmt.Sprintf("severity %s is above max-severity %s; %s", f.Severity, rule.MaxSeverity, fix))
	}
	return pass(name, ev, fmt.Sprintf("severity %s, within max-severity %s", f.Severity, rule.MaxSeverity))
}

// unverified judges a step's installed-file verification (the
// environment record's installed_files): it passes only when every file
// its packages list was there with the digest they recorded. A step
// without an interpreter has no installed files to check (its OS packages
// are recorded by name and version); one with an interpreter but no
// result fails closed, as do modified or missing files and distributions
// nothing could check. Unowned files are listed, not refused: pip's own
// caches and editable installs leave them.
func unverified(s osv.Step, env *capture.Environment) Check {
	name := "installed files " + s.Step
	switch {
	case env == nil:
		return fail(name, s.Environment, "the environment record could not be read, so its installed files are unverified")
	case env.Interpreter == nil:
		return pass(name, s.Environment, "no interpreter: no installed files to verify")
	case env.Files == nil:
		return fail(name, s.Environment, "the environment was not verified: its record carries no installed-file verification result (captured before lockstep verified installed files; run the step again)")
	}
	f := env.Files
	var problems []string
	for _, c := range f.Modified {
		problems = append(problems, fmt.Sprintf("%s %s: %s modified (expected %s, found %s)", c.Package, c.Version, c.Path, c.Expected, c.Actual))
	}
	for _, c := range f.Missing {
		problems = append(problems, fmt.Sprintf("%s %s: %s missing", c.Package, c.Version, c.Path))
	}
	for _, u := range f.Unverifiable {
		problems = append(problems, fmt.Sprintf("%s %s: nothing to check its files against", u.Package, u.Version))
	}
	if len(problems) > 0 {
		const show = 5
		more := ""
		if len(problems) > show {
			more = fmt.Sprintf(" and %d more", len(problems)-show)
			problems = problems[:show]
		}
		return fail(name, s.Environment, strings.Join(problems, "; ")+more+" (lockstep env shows them all)")
	}
	return pass(name, s.Environment, fmt.Sprintf("%d files of %d packages as their packages recorded", f.Files, f.Packages))
}

// ageWords writes an age in whole days, or hours under two days.
func ageWords(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return fmt.Sprintf("%d hours", d/time.Hour)
}

// dependencies judges the newest dependency audit of the artifact's run.
func (e *evaluator) dependencies() (*Check, error) {
	rule := e.pol.Require.Dependencies
	if rule == nil {
		return nil, nil
	}
	if e.ev.Run == nil {
		return e.noRun("dependencies"), nil
	}
	id := e.ev.Run.ID
	rep, d, err := osv.Latest(e.ctx, e.st, e.cat, id)
	if err != nil {
		return nil, err
	}
	if rep == nil {
		c := fail("dependencies", e.ev.RunRecord, fmt.Sprintf("run %s has no dependency audit (lockstep audit-deps %s)", id, id))
		return &c, nil
	}
	envs := map[core.Digest]*capture.Environment{}
	for _, s := range rep.Steps {
		if _, ok := envs[s.Environment]; ok || !s.Environment.Valid() {
			continue
		}
		var env capture.Environment
		if err := e.st.GetJSON(s.Environment, &env); err == nil {
			envs[s.Environment] = &env
		} else {
			envs[s.Environment] = nil
		}
	}
	c := rule.Judge(rep, d, envs)
	return &c, nil
}

// explain describes the rule in plain words.
func (rule *DependencyRule) explain() []string {
	out := []string{fmt.Sprintf("The run needs a dependency audit (lockstep audit-deps) with advisory data at most %s old and no advisory above %s severity in any step's packages%s.",
		formatAge(rule.MaxAge), rule.MaxSeverity, allowWords(rule.Allow))}
	if rule.Malicious == "deny" {
		out = append(out, "A known malicious package (an OSV MAL- advisory) in any step refuses the artifact, without exception.")
	} else {
		out = append(out, "Known malicious packages are let in (malicious: allow).")
	}
	if rule.UnverifiedFiles == "deny" {
		out = append(out, "Every step's environment must carry a verification of its installed files that found none modified.")
	}
	return out
}

func allowWords(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return " (except " + strings.Join(ids, ", ") + ", allowed by id)"
}
