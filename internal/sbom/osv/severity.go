package osv

// scored is an advisory's severity for one affected entry.
type scored struct {
	rating Rating
	score  float64
	vector string
}

// severityOf rates an advisory for one affected entry: the affected
// entry's own CVSS vectors first, then the advisory's; a v3 vector gives a
// computed base score; a valid v4 vector alone keeps its vector and takes
// the database's rating (GitHub's); malicious packages are critical; an
// advisory rated nowhere is unknown.
func severityOf(a *Advisory, af *Affected) scored {
	if a.Malicious() {
		return scored{rating: RatingCritical}
	}
	var v4 string
	for _, list := range [][]Severity{af.Severity, a.Severity} {
		for _, s := range list {
			switch s.Type {
			case "CVSS_V3":
				if score, err := CVSS3BaseScore(s.Score); err == nil {
					return scored{rating: RatingOf(score), score: score, vector: s.Score}
				}
			case "CVSS_V4":
				if v4 == "" && CheckCVSS4(s.Score) == nil {
					v4 = s.Score
				}
			}
		}
	}
	out := scored{rating: RatingUnknown, vector: v4}
	if a.DatabaseSeverity != "" {
		if r, err := ParseRating(a.DatabaseSeverity); err == nil {
			out.rating = r
		}
	}
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
