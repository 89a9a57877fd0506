package osv

import (
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// ReportType is the "type" field of a dependency audit report.
const ReportType = "lockstep.dependency-audit/v1"

// PredicateType is the in-toto predicate type of a signed audit report.
const PredicateType = "https://lockstep.dev/dependency-audit/v1"

// Report is what Audit found in a run's environments, as stored (canonical
// JSON) and attested.
type Report struct {
	Type    string    `json:"type"`
	Run     string    `json:"run"`
	Created time.Time `json:"created"`
	// Databases are the advisory imports consulted, one per ecosystem the
	// environments need, with their age when the audit ran.
	Databases []Database `json:"databases"`
	Steps     []Step     `json:"steps"`
}

// Database is the state of one ecosystem's advisories at audit time.
type Database struct {
	Ecosystem string      `json:"ecosystem"`
	Source    string      `json:"source,omitempty"`
	Digest    core.Digest `json:"digest,omitempty"`
	Imported  time.Time   `json:"imported,omitzero"`
	// AgeSeconds is how old the import was when the audit ran.
	AgeSeconds int64 `json:"age_seconds,omitempty"`
	// Advisories counts the ecosystem's advisories.
	Advisories int `json:"advisories"`
	// Missing is true when no advisories of the ecosystem were ever
	// imported: its packages were not checked.
	Missing bool `json:"missing,omitempty"`
}

// Age is how old the import was when the audit ran.
func (d Database) Age() time.Duration { return time.Duration(d.AgeSeconds) * time.Second }

// Step is the audit of one step's environment.
type Step struct {
	Step        string      `json:"step"`
	Environment core.Digest `json:"environment"`
	// Packages counts the packages checked.
	Packages int       `json:"packages"`
	Findings []Finding `json:"findings,omitempty"`
	// Unchecked says which packages could not be checked and why (OS
	// packages of a distribution without an ordering, say).
	Unchecked []string `json:"unchecked,omitempty"`
}

// Finding is one advisory that affects (or may affect) one installed
// package.
type Finding struct {
	ID      string   `json:"id"`
	Aliases []string `json:"aliases,omitempty"`
	Summary string   `json:"summary,omitempty"`
	// Malicious is true for a malicious-package report (MAL-).
	Malicious bool `json:"malicious,omitempty"`
	// Severity is the rating (none ... critical, or unknown); Score and
	// Vector the CVSS base score and vector it came from, when any.
	Severity string  `json:"severity"`
	Score    float64 `json:"score,omitempty"`
	Vector   string  `json:"vector,omitempty"`
	// BadVector, when set, names a CVSS vector of the advisory that does
	// not parse (advisory id, field and why); the severity comes from the
	// advisory's other scores, its database's rating, or is unknown.
	BadVector string `json:"bad_vector,omitempty"`
	// Ecosystem, Package and Version name the installed package (the
	// package name as the environment records it).
	Ecosystem string `json:"ecosystem"`
	Package   string `json:"package"`
	Version   string `json:"version"`
	// Fixed are the versions that fix it, when the advisory names any.
	Fixed []string `json:"fixed,omitempty"`
	// Undecided, when set, says why the advisory's ranges could not be
	// evaluated for this version: it may or may not apply.
	Undecided string `json:"undecided,omitempty"`
}

// Rating returns the finding's severity as a Rating.
func (f Finding) Rating() Rating {
	r, err := ParseRating(f.Severity)
	if err != nil {
		return RatingUnknown
	}
	return r
}

// Findings returns every finding of the report, step by step.
func (r *Report) Findings() []Finding {
	var out []Finding
	for _, s := range r.Steps {
		out = append(out, s.Findings...)
	}
	return out
}
