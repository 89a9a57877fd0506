package version

import (
	"fmt"
	"strings"
)

// Debian is a parsed Debian package version: [epoch:]upstream[-revision].
type Debian struct {
	Epoch    string // digits, "0" when absent
	Upstream string
	Revision string // "" when absent
}

// ParseDebian parses a version as dpkg does: the epoch is the digits
// before the first colon, the revision follows the last hyphen, and the
// upstream part must start with a digit and hold only letters, digits and
// . + ~ - : (a hyphen only with a revision, a colon only with an epoch).
func ParseDebian(s string) (*Debian, error) {
	if err := checkLen("Debian", s); err != nil {
		return nil, err
	}
	v := &Debian{Epoch: "0"}
	rest := s
	if e, r, ok := strings.Cut(s, ":"); ok {
		if !isDigits(e) {
			return nil, fmt.Errorf("Debian version %q: epoch %q is not a number", s, e)
		}
		v.Epoch, rest = number(e), r
	}
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		v.Upstream, v.Revision = rest[:i], rest[i+1:]
		if v.Revision == "" {
			return nil, fmt.Errorf("Debian version %q: empty revision after '-'", s)
		}
	} else {
		v.Upstream = rest
	}
	if v.Upstream == "" || v.Upstream[0] < '0' || v.Upstream[0] > '9' {
		return nil, fmt.Errorf("Debian version %q: the upstream version must start with a digit", s)
	}
	for _, part := range []struct{ what, s, extra string }{{"upstream version", v.Upstream, ".+~-:"}, {"revision", v.Revision, ".+~"}} {
		for _, r := range part.s {
			if !isAlnum(r) && !strings.ContainsRune(part.extra, r) {
				return nil, fmt.Errorf("Debian version %q: %s holds %q, which dpkg does not allow", s, part.what, r)
			}
		}
	}
	return v, nil
}

// CompareDebian orders two Debian versions as dpkg --compare-versions does.
func CompareDebian(a, b string) (int, error) {
	return compareWith(ParseDebian, a, b)
}

// Compare orders v against w: epochs as numbers, then upstream versions,
// then revisions, each with dpkg's algorithm.
func (v *Debian) Compare(w *Debian) int {
	if c := cmpNum(v.Epoch, w.Epoch); c != 0 {
		return c
	}
	if c := verrevcmp(v.Upstream, w.Upstream); c != 0 {
		return c
	}
	return verrevcmp(v.Revision, w.Revision)
}

// verrevcmp is dpkg's comparison of version parts: alternating runs of
// non-digits, compared character by character (letters before other
// characters, "~" before everything, even the end of the string), and
// runs of digits, compared as numbers.
func verrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			ac, bc := debOrder(a, i), debOrder(b, j)
			if ac != bc {
				return cmpRank(ac, bc)
			}
			i, j = i+1, j+1
		}
		i, j = min(i, len(a)), min(j, len(b))
		si, sj := i, j
		for i < len(a) && isDigit(a[i]) {
			i++
		}
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if c := cmpNum(a[si:i], b[sj:j]); c != 0 {
			return c
		}
	}
	return 0
}

// debOrder is the weight of the character at a[i] in dpkg's order.
func debOrder(a string, i int) int {
	if i >= len(a) {
		return 0
	}
	c := a[i]
	switch {
	case isDigit(c):
		return 0
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return int(c)
	case c == '~':
		return -1
	}
	return int(c) + 256
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
