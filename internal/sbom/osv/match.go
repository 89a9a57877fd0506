package osv

import (
	"fmt"
	"slices"
	"strings"

	"lockstep.dev/lockstep/internal/sbom/osv/version"
)

// Match is what one affected entry says about one installed version.
type Match struct {
	// Affected is true when a range or the versions list covers the
	// version.
	Affected bool
	// Fixed are the fix versions above the installed one, of the ranges
	// that cover it.
	Fixed []string
	// Undecided says why some range could not be evaluated ("" if all
	// could): an unknown range type, a version the ordering cannot read.
	Undecided string
}

// Evaluate decides whether af covers version v (of af's ecosystem), as
// the OSV schema's evaluation algorithm says: explicit versions, then
// each range's events in version order (introduced sets, fixed and
// last_affected clear). GIT ranges name commits and are skipped: OSV
// producers list the versions they cover too.
func Evaluate(af *Affected, v string) Match {
	var m Match
	eco, ecoErr := version.ForEcosystem(af.Package.Ecosystem)
	for _, listed := range af.Versions {
		if listed == v {
			m.Affected = true
		} else if eco != nil {
			if c, err := eco(listed, v); err == nil && c == 0 {
				m.Affected = true
			}
		}
	}
	var why []string
	for _, r := range af.Ranges {
		var cmp version.Ordering
		switch r.Type {
		case RangeGit:
			continue
		case RangeSemVer:
			cmp = version.CompareSemVer
		case RangeEcosystem:
			if ecoErr != nil {
				why = append(why, ecoErr.Error())
				continue
			}
			cmp = eco
		default:
			why = append(why, fmt.Sprintf("range type %q is not one lockstep evaluates (ECOSYSTEM, SEMVER, GIT)", cleanText(r.Type)))
			continue
		}
		hit, fixed, err := inRange(r.Events, v, cmp)
		if err != nil {
			why = append(why, err.Error())
			continue
		}
		if hit {
			m.Affected = true
			m.Fixed = append(m.Fixed, fixed...)
		}
	}
	slices.Sort(m.Fixed)
	m.Fixed = slices.Compact(m.Fixed)
	if !m.Affected && len(why) > 0 {
		m.Undecided = strings.Join(slices.Compact(why), "; ")
	}
	return m
}

// inRange evaluates one range's events for v; fixed are the range's fix
// versions above v.
func inRange(events []Event, v string, cmp version.Ordering) (bool, []string, error) {
	type point struct {
		at   string
		kind string
	}
	var pts []point
	for _, e := range events {
		switch {
		case e.Introduced != "":
			pts = append(pts, point{e.Introduced, "introduced"})
		case e.Fixed != "":
			pts = append(pts, point{e.Fixed, "fixed"})
		case e.LastAffected != "":
			pts = append(pts, point{e.LastAffected, "last_affected"})
		}
	}
	// below compares two event versions, "0" (introduced at the start of
	// time) lowest; errors are caught by the checks below.
	var cmpErr error
	below := func(a, b string) int {
		if a == b {
			return 0
		}
		if a == "0" {
			return -1
		}
		if b == "0" {
			return 1
		}
		c, err := cmp(a, b)
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		return c
	}
	slices.SortStableFunc(pts, func(a, b point) int { return below(a.at, b.at) })
	if cmpErr != nil {
		return false, nil, cmpErr
	}
	hit := false
	var fixed []string
	for _, p := range pts {
		c := 1 // v against p.at
		if p.at != "0" {
			var err error
			if c, err = cmp(v, p.at); err != nil {
				return false, nil, err
			}
		}
		switch p.kind {
		case "introduced":
			if c >= 0 {
				hit = true
			}
		case "fixed":
			if c >= 0 {
				hit = false
			} else if hit && len(fixed) == 0 {
				fixed = append(fixed, p.at)
			}
		case "last_affected":
			if c > 0 {
				hit = false
			}
		}
	}
	if !hit {
		fixed = nil
	}
	return hit, fixed, nil
}
