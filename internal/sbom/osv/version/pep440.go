package version

import (
	"fmt"
	"regexp"
	"strings"
)

// pep440RE is the version pattern of PEP 440 (Appendix B), as the
// packaging library spells it, matched without case.
var pep440RE = regexp.MustCompile(`(?i)^\s*v?` +
	`(?:(?P<epoch>[0-9]+)!)?` +
	`(?P<release>[0-9]+(?:\.[0-9]+)*)` +
	`(?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?` +
	`(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?` +
	`(?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?` +
	`(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$`)

// PEP440 is a parsed Python version. Numbers are kept as digit strings
// without leading zeros, so no release number is too large to compare.
type PEP440 struct {
	Epoch   string
	Release []string
	// PreKind is "a", "b" or "rc" ("" for none); PreNum its number.
	PreKind, PreNum string
	// HasPost and HasDev say whether the segments are present.
	HasPost, HasDev bool
	Post, Dev       string
	// Local are the local version label's parts, lower case.
	Local []string
}

// ParsePEP440 parses a version as PEP 440 defines it (with the spellings
// it normalises: "1.0-alpha.1", "v2", "1.0.post-2", upper case...).
func ParsePEP440(s string) (*PEP440, error) {
	if err := checkLen("PEP 440", s); err != nil {
		return nil, err
	}
	if v := parsePlainRelease(s); v != nil {
		return v, nil
	}
	m := pep440RE.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("%q is not a PEP 440 version", s)
	}
	g := func(name string) string { return m[pep440RE.SubexpIndex(name)] }
	v := &PEP440{Epoch: number(g("epoch"))}
	for _, r := range strings.Split(g("release"), ".") {
		v.Release = append(v.Release, number(r))
	}
	if g("pre") != "" {
		switch strings.ToLower(g("pre_l")) {
		case "a", "alpha":
			v.PreKind = "a"
		case "b", "beta":
			v.PreKind = "b"
		default:
			v.PreKind = "rc"
		}
		v.PreNum = number(g("pre_n"))
	}
	if g("post") != "" {
		v.HasPost, v.Post = true, number(g("post_n1")+g("post_n2"))
	}
	if g("dev") != "" {
		v.HasDev, v.Dev = true, number(g("dev_n"))
	}
	if l := g("local"); l != "" {
		v.Local = strings.FieldsFunc(strings.ToLower(l), func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	}
	return v, nil
}

// parsePlainRelease reads the commonest spelling, a bare release such as
// "2.31.0", without the regular expression (which costs twenty times
// more); anything else returns nil for the full parser.
func parsePlainRelease(s string) *PEP440 {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return nil
	}
	n := 1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if s[i-1] == '.' {
				return nil
			}
			n++
		case c < '0' || c > '9':
			return nil
		}
	}
	v := &PEP440{Epoch: "0", Release: make([]string, 0, n)}
	for part := range strings.SplitSeq(s, ".") {
		v.Release = append(v.Release, number(part))
	}
	return v
}

// ComparePEP440 orders two Python versions as pip and packaging do.
func ComparePEP440(a, b string) (int, error) {
	return compareWith(ParsePEP440, a, b)
}

// Compare orders v against w: epoch, release (trailing zeros ignored),
// then dev-only releases before pre-releases before the final release,
// then post-releases, dev-releases, and the local label last.
func (v *PEP440) Compare(w *PEP440) int {
	if c := cmpNum(v.Epoch, w.Epoch); c != 0 {
		return c
	}
	if c := cmpRelease(v.Release, w.Release); c != 0 {
		return c
	}
	if c := cmpRank(v.preRank(), w.preRank()); c != 0 {
		return c
	}
	if v.PreKind != "" && w.PreKind != "" {
		if c := strings.Compare(v.PreKind, w.PreKind); c != 0 {
			return c
		}
		if c := cmpNum(v.PreNum, w.PreNum); c != 0 {
			return c
		}
	}
	if c := cmpOptional(v.HasPost, v.Post, w.HasPost, w.Post, -1); c != 0 {
		return c
	}
	if c := cmpOptional(v.HasDev, v.Dev, w.HasDev, w.Dev, +1); c != 0 {
		return c
	}
	return cmpLocal(v.Local, w.Local)
}

// preRank places a version among its release's pre-releases: 0 for a
// dev-only release (1.0.dev1, before 1.0a1), 1 for a pre-release, 2 for
// none (the final release and its post-releases).
func (v *PEP440) preRank() int {
	switch {
	case v.PreKind != "":
		return 1
	case v.HasDev && !v.HasPost:
		return 0
	}
	return 2
}

// cmpOptional compares an optional numbered segment; a missing one sorts
// at the side given by absent (-1: before every number, +1: after).
func cmpOptional(hasA bool, a string, hasB bool, b string, absent int) int {
	switch {
	case hasA && hasB:
		return cmpNum(a, b)
	case hasA:
		return -absent
	case hasB:
		return absent
	}
	return 0
}

// cmpRelease compares release segments with trailing zeros ignored.
func cmpRelease(a, b []string) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := "0", "0"
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmpNum(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// cmpLocal compares local labels: none sorts first; numeric parts sort
// above alphanumeric ones and compare as numbers; a longer label that
// extends a shorter one sorts after it.
func cmpLocal(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return cmpRank(len(a), len(b))
	}
	for i := 0; i < min(len(a), len(b)); i++ {
		na, nb := isDigits(a[i]), isDigits(b[i])
		var c int
		switch {
		case na && nb:
			c = cmpNum(a[i], b[i])
		case na:
			c = 1
		case nb:
			c = -1
		default:
			c = strings.Compare(a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmpRank(len(a), len(b))
}

// number strips leading zeros from a digit string; "" becomes "0".
func number(s string) string {
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return "0"
	}
	return s
}

// cmpNum compares two digit strings without leading zeros as numbers.
func cmpNum(a, b string) int {
	a, b = number(a), number(b)
	if len(a) != len(b) {
		return cmpRank(len(a), len(b))
	}
	return strings.Compare(a, b)
}

func cmpRank(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
