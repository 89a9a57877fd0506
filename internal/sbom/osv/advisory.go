package osv

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on untrusted advisories. The largest real OSV entries (Linux
// kernel CVEs listing thousands of versions) are a few hundred KiB.
const (
	// MaxAdvisoryBytes bounds one advisory's JSON.
	MaxAdvisoryBytes = 8 << 20
	// maxText bounds a summary kept for display.
	maxText = 1024
	// maxName bounds a package name or alias.
	maxName = 512
	// maxList bounds the affected entries, ranges, events and versions
	// of one advisory.
	maxList = 100_000
)

// Range types of the OSV schema.
const (
	RangeEcosystem = "ECOSYSTEM"
	RangeSemVer    = "SEMVER"
	RangeGit       = "GIT"
)

// Advisory is the part of an OSV entry lockstep keeps: what it is, how
// severe, and which package versions it affects.
type Advisory struct {
	ID        string     `json:"id"`
	Modified  time.Time  `json:"modified"`
	Published time.Time  `json:"published,omitzero"`
	Withdrawn time.Time  `json:"withdrawn,omitzero"`
	Aliases   []string   `json:"aliases,omitempty"`
	Summary   string     `json:"summary,omitempty"`
	Severity  []Severity `json:"severity,omitempty"`
	Affected  []Affected `json:"affected,omitempty"`
	// DatabaseSeverity is database_specific.severity (GitHub's rating:
	// LOW, MODERATE, HIGH, CRITICAL), used when no CVSS vector is given.
	DatabaseSeverity string `json:"database_severity,omitempty"`
}

// Severity is one severity score: a type (CVSS_V3, CVSS_V4...) and a
// vector.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected is one affected package with its version ranges and explicit
// versions.
type Affected struct {
	Package  Package    `json:"package"`
	Severity []Severity `json:"severity,omitempty"`
	Ranges   []Range    `json:"ranges,omitempty"`
	Versions []string   `json:"versions,omitempty"`
}

// Package names a package in an OSV ecosystem ("PyPI", "Debian:12").
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Range is a version range: events in the order of Type's versions.
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Event is one range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Malicious reports whether the advisory is an OpenSSF malicious-package
// report (its id starts with "MAL-").
func (a *Advisory) Malicious() bool { return strings.HasPrefix(a.ID, "MAL-") }

// idRE is what an advisory id or alias may look like: "GHSA-xxxx-...",
// "PYSEC-2023-1", "CVE-2023-1234", "DSA-5000-1", "MAL-2024-1", "DEBIAN-CVE-...".
var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

// rawAdvisory is an OSV entry as published, fields lockstep does not use
// left out.
type rawAdvisory struct {
	ID               string          `json:"id"`
	Modified         string          `json:"modified"`
	Published        string          `json:"published"`
	Withdrawn        string          `json:"withdrawn"`
	Aliases          []string        `json:"aliases"`
	Summary          string          `json:"summary"`
	Details          string          `json:"details"`
	Severity         []Severity      `json:"severity"`
	Affected         []Affected      `json:"affected"`
	DatabaseSpecific json.RawMessage `json:"database_specific"`
}

// Parse reads one OSV entry. It fails, naming the field, when the entry
// has no valid id or modified time, or names a package badly (empty,
// overlong, with control characters); it keeps ranges of types it does
// not know, for Audit to report. The summary is cut to 1 KiB and cleared
// of control characters, so a hostile summary cannot drive a terminal.
func Parse(b []byte) (*Advisory, error) {
	if len(b) > MaxAdvisoryBytes {
		return nil, fmt.Errorf("advisory is %d bytes, more than the %d allowed", len(b), MaxAdvisoryBytes)
	}
	var raw rawAdvisory
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not an OSV entry: %w", err)
	}
	if !idRE.MatchString(raw.ID) {
		return nil, fmt.Errorf("field id: %q is not an advisory id", clip(raw.ID, 64))
	}
	a := &Advisory{ID: raw.ID, Summary: cleanText(raw.Summary), Severity: raw.Severity}
	if a.Summary == "" {
		a.Summary = cleanText(firstLine(raw.Details))
	}
	var err error
	if a.Modified, err = parseTime("modified", raw.Modified, true); err != nil {
		return nil, fmt.Errorf("advisory %s: %w", a.ID, err)
	}
	if a.Published, err = parseTime("published", raw.Published, false); err != nil {
		return nil, fmt.Errorf("advisory %s: %w", a.ID, err)
	}
	if a.Withdrawn, err = parseTime("withdrawn", raw.Withdrawn, false); err != nil {
		return nil, fmt.Errorf("advisory %s: %w", a.ID, err)
	}
	for _, al := range raw.Aliases {
		if idRE.MatchString(al) {
			a.Aliases = append(a.Aliases, al)
		}
	}
	if len(raw.Affected) > maxList {
		return nil, fmt.Errorf("advisory %s: %d affected entries, more than %d", a.ID, len(raw.Affected), maxList)
	}
	for i, af := range raw.Affected {
		if err := checkAffected(af); err != nil {
			return nil, fmt.Errorf("advisory %s: field affected[%d]: %w", a.ID, i, err)
		}
		a.Affected = append(a.Affected, af)
	}
	for _, s := range append(slices.Clone(raw.Severity), severitiesOf(a.Affected)...) {
		if len(s.Score) > maxName || len(s.Type) > 32 {
			return nil, fmt.Errorf("advisory %s: field severity: a score longer than %d bytes", a.ID, maxName)
		}
	}
	var db struct {
		Severity string `json:"severity"`
	}
	if len(raw.DatabaseSpecific) > 0 && json.Unmarshal(raw.DatabaseSpecific, &db) == nil {
		switch s := strings.ToUpper(db.Severity); s {
		case "LOW", "MODERATE", "MEDIUM", "HIGH", "CRITICAL":
			a.DatabaseSeverity = s
		}
	}
	return a, nil
}

// checkAffected validates one affected entry's names and list sizes.
func checkAffected(af Affected) error {
	if err := checkName("package.ecosystem", af.Package.Ecosystem); err != nil {
		return err
	}
	if err := checkName("package.name", af.Package.Name); err != nil {
		return err
	}
	if len(af.Ranges) > maxList || len(af.Versions) > maxList {
		return fmt.Errorf("more than %d ranges or versions", maxList)
	}
	for j, r := range af.Ranges {
		if r.Type == "" || len(r.Type) > 32 || !isPrintable(r.Type) {
			return fmt.Errorf("ranges[%d].type: %q is not a range type", j, clip(r.Type, 32))
		}
		if len(r.Events) > maxList {
			return fmt.Errorf("ranges[%d]: more than %d events", j, maxList)
		}
	}
	return nil
}

// checkName rejects an empty, overlong or unprintable name.
func checkName(field, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty", field)
	case len(s) > maxName:
		return fmt.Errorf("%s is longer than %d bytes", field, maxName)
	case !isPrintable(s):
		return fmt.Errorf("%s %q holds control characters or invalid UTF-8", field, clip(s, 64))
	}
	return nil
}

func isPrintable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return false
		}
	}
	return true
}

// cleanText makes s safe to print: valid UTF-8, no control or bidi
// characters (each becomes a space), trimmed and cut to maxText bytes.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return ' '
		}
		return r
	}, s)
	return clip(strings.Join(strings.Fields(s), " "), maxText)
}

// clip cuts s to n bytes at a rune boundary, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\n\r"); i >= 0 {
		s = s[:i]
	}
	return s
}

// parseTime reads an RFC 3339 time; required says whether "" is an error.
func parseTime(field, s string, required bool) (time.Time, error) {
	if s == "" {
		if required {
			return time.Time{}, fmt.Errorf("field %s is required", field)
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 1970 || t.Year() > 2261 {
		return time.Time{}, fmt.Errorf("field %s: %q is not an RFC 3339 time between 1970 and 2261", field, clip(s, 64))
	}
	return t.UTC(), nil
}

func severitiesOf(affected []Affected) []Severity {
	var out []Severity
	for _, af := range affected {
		out = append(out, af.Severity...)
	}
	return out
}
