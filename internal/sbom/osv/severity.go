package osv

import (
	"fmt"
	"strings"
)

// scored is an advisory's severity for one affected entry.
type scored struct {
	rating Rating
	score  float64
	vector string
	// problem is the first CVSS vector of the advisory that could not be
	// read, as a one-line error naming the advisory and the field.
	problem string
}

// severityList is one list of severity scores of an advisory, with the
// field it is read from.
type severityList struct {
	field string
	list  []Severity
}

// severityLists are the lists severityOf reads for affected entry i, in
// order: the entry's own, then the advisory's.
func severityLists(a *Advisory, i int) []severityList {
	return []severityList{{fmt.Sprintf("affected[%d].severity", i), a.Affected[i].Severity}, {"severity", a.Severity}}
}

// cvssScore is the base score of a CVSS_V3 or CVSS_V4 severity; scored
// is false for the types lockstep does not score (CVSS_V2, Ubuntu...).
func cvssScore(s Severity) (score float64, scored bool, err error) {
	switch s.Type {
	case "CVSS_V3":
		score, err = CVSS3BaseScore(s.Score)
	case "CVSS_V4":
		score, err = CVSS4BaseScore(s.Score)
	default:
		return 0, false, nil
	}
	return score, true, err
}

// vectorError is the one-line error of a CVSS vector that does not parse.
func vectorError(a *Advisory, field string, j int, s Severity, err error) string {
	return fmt.Sprintf("advisory %s: field %s[%d].score (%s): %v", a.ID, field, j, s.Type, err)
}

// severityOf rates an advisory for its affected entry i: the entry's own
// CVSS vectors first, then the advisory's. In the first of those lists
// that holds a valid vector, the newest CVSS version counts (a v4.0
// vector over a v3.x one): its base score and the qualitative rating of
// that score. Without one, the database's rating (GitHub's) counts;
// malicious packages are critical; an advisory rated nowhere is unknown.
// A CVSS_V3 or CVSS_V4 vector that does not parse is passed over and the
// first one is named in problem.
func severityOf(a *Advisory, i int) scored {
	if a.Malicious() {
		return scored{rating: RatingCritical}
	}
	out := scored{rating: RatingUnknown}
	for _, l := range severityLists(a, i) {
		var best *scored
		for j, s := range l.list {
			score, ok, err := cvssScore(s)
			switch {
			case !ok:
				continue
			case err != nil:
				if out.problem == "" {
					out.problem = vectorError(a, l.field, j, s, err)
				}
				continue
			}
			if best == nil || s.Type == "CVSS_V4" && !strings.HasPrefix(best.vector, "CVSS:4.0/") {
				best = &scored{rating: RatingOf(score), score: score, vector: s.Score}
			}
		}
		if best != nil {
			best.problem = out.problem
			return *best
		}
	}
	if a.DatabaseSeverity != "" {
		if r, err := ParseRating(a.DatabaseSeverity); err == nil {
			out.rating = r
		}
	}
	return out
}

// BadVectors lists the CVSS_V3 and CVSS_V4 vectors of the advisory that
// do not parse, one line each naming the advisory and the field.
func (a *Advisory) BadVectors() []string {
	var out []string
	check := func(field string, list []Severity) {
		for j, s := range list {
			if _, ok, err := cvssScore(s); ok && err != nil {
				out = append(out, vectorError(a, field, j, s, err))
			}
		}
	}
	for i := range a.Affected {
		check(fmt.Sprintf("affected[%d].severity", i), a.Affected[i].Severity)
	}
	check("severity", a.Severity)
	return out
}

// worse reports whether s is a known rating above t's, or t is unknown
// and s is not: the worst known severity of an advisory's entries counts.
func (s scored) worse(t scored) bool {
	if s.rating == RatingUnknown {
		return false
	}
	return t.rating == RatingUnknown || s.rating > t.rating
}
