package osv

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// StepEnvironment is one step's environment, as its task record names it.
type StepEnvironment struct {
	Step   string
	Digest core.Digest
	Env    *capture.Environment
}

// installed is one package of an environment in an OSV ecosystem.
type installed struct {
	ecosystem string // base ecosystem, as the catalog files advisories
	release   string // the distribution release ("12"), "" for PyPI
	name      string // as recorded
	version   string
}

// Audit checks each step's environment against the advisories of cat
// (the catalog, or an export's AsSource) and returns the report, stamped
// now. It reads nothing else: an ecosystem no advisories were imported for is reported
// as missing, and every database's age is recorded.
func Audit(ctx context.Context, cat Source, run string, steps []StepEnvironment, now time.Time) (*Report, error) {
	imports, err := cat.AdvisoryImports(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{Type: ReportType, Run: run, Created: now.UTC()}
	needed := map[string]bool{}
	done := map[core.Digest]Step{}
	for _, se := range steps {
		if prev, ok := done[se.Digest]; ok && se.Digest != "" {
			prev.Step = se.Step
			rep.Steps = append(rep.Steps, prev)
			continue
		}
		pkgs, unchecked := packagesOf(se.Env)
		st := Step{Step: se.Step, Environment: se.Digest, Packages: len(pkgs), Unchecked: unchecked}
		byEco := map[string][]installed{}
		for _, p := range pkgs {
			byEco[p.ecosystem] = append(byEco[p.ecosystem], p)
			needed[p.ecosystem] = true
		}
		for _, eco := range slices.Sorted(maps.Keys(byEco)) {
			fs, err := match(ctx, cat, eco, byEco[eco])
			if err != nil {
				return nil, err
			}
			st.Findings = append(st.Findings, fs...)
		}
		done[se.Digest] = st
		rep.Steps = append(rep.Steps, st)
	}
	for _, eco := range slices.Sorted(maps.Keys(needed)) {
		db := Database{Ecosystem: eco, Missing: true}
		for _, im := range imports {
			if im.Ecosystem == eco {
				db = Database{Ecosystem: eco, Source: im.Source, Digest: im.Digest, Imported: im.Imported.UTC(),
					AgeSeconds: int64(max(now.Sub(im.Imported), 0) / time.Second), Advisories: im.Advisories}
			}
		}
		rep.Databases = append(rep.Databases, db)
	}
	return rep, nil
}

// packagesOf lists an environment's packages in OSV ecosystems, and what
// it cannot check.
func packagesOf(env *capture.Environment) ([]installed, []string) {
	var out []installed
	var unchecked []string
	if env == nil {
		return nil, []string{"no environment was recorded"}
	}
	if env.Interpreter != nil && env.Interpreter.Kind == "python" {
		for _, p := range env.Interpreter.Packages {
			out = append(out, installed{ecosystem: "PyPI", name: p.Name, version: p.Version})
		}
	}
	if ps := env.OSPackages; ps != nil && len(ps.Packages) > 0 {
		eco := ""
		if ps.Manager == "dpkg" {
			eco = map[string]string{"debian": "Debian", "ubuntu": "Ubuntu"}[env.OS.ID]
		}
		switch {
		case eco == "":
			unchecked = append(unchecked, fmt.Sprintf("%d %s packages of %s: lockstep has no version ordering for them",
				len(ps.Packages), cleanText(ps.Manager), cleanText(env.OS.ID)))
		default:
			if env.OS.VersionID == "" {
				unchecked = append(unchecked, fmt.Sprintf("%s without a release number (testing or unstable): only advisories naming no release were matched", eco))
			}
			for _, p := range ps.Packages {
				out = append(out, installed{ecosystem: eco, release: env.OS.VersionID, name: p.Name, version: p.Version})
			}
		}
	}
	return out, unchecked
}

// match finds the advisories of one ecosystem that affect pkgs.
func match(ctx context.Context, cat Source, eco string, pkgs []installed) ([]Finding, error) {
	byName := map[string][]installed{}
	for _, p := range pkgs {
		n := NormalizeName(eco, p.name)
		byName[n] = append(byName[n], p)
	}
	rows, err := cat.Advisories(ctx, eco, slices.Sorted(maps.Keys(byName)))
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, row := range rows {
		var a Advisory
		if err := json.Unmarshal(row.Data, &a); err != nil {
			return nil, fmt.Errorf("advisory %s in the catalog is unreadable (%v): import the export again", row.ID, err)
		}
		for _, p := range byName[row.Package] {
			if f, ok := findingFor(&a, eco, row.Package, p); ok {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// findingFor evaluates every affected entry of a about package p.
func findingFor(a *Advisory, eco, normName string, p installed) (Finding, bool) {
	f := Finding{ID: a.ID, Aliases: a.Aliases, Summary: a.Summary, Malicious: a.Malicious(), Severity: RatingUnknown.String(),
		Ecosystem: eco, Package: p.name, Version: p.version}
	if p.release != "" {
		f.Ecosystem = eco + ":" + p.release
	}
	hit, sev := false, scored{rating: -1}
	var undecided []string
	for i := range a.Affected {
		af := &a.Affected[i]
		if !sameEcosystem(af.Package.Ecosystem, eco, p.release) || NormalizeName(eco, af.Package.Name) != normName {
			continue
		}
		m := Evaluate(af, p.version)
		if !m.Affected && m.Undecided == "" {
			continue
		}
		if m.Affected {
			hit = true
			f.Fixed = append(f.Fixed, m.Fixed...)
		} else {
			undecided = append(undecided, m.Undecided)
		}
		if s := severityOf(a, i); sev.rating < 0 || s.worse(sev) {
			sev = s
		}
	}
	if !hit && len(undecided) == 0 {
		return Finding{}, false
	}
	if !hit {
		f.Undecided = strings.Join(undecided, "; ")
	}
	f.Severity, f.Score, f.Vector, f.BadVector = sev.rating.String(), sev.score, sev.vector, sev.problem
	slices.Sort(f.Fixed)
	f.Fixed = slices.Compact(f.Fixed)
	return f, true
}

// sameEcosystem reports whether an advisory's ecosystem ("Debian:12",
// "Ubuntu:22.04:LTS", "PyPI") covers packages of base ecosystem eco on
// release rel.
func sameEcosystem(advisory, eco, rel string) bool {
	base, rest, hasRel := strings.Cut(advisory, ":")
	if base != eco {
		return false
	}
	if !hasRel {
		return true
	}
	advRel, _, _ := strings.Cut(rest, ":")
	return rel != "" && advRel == rel
}
