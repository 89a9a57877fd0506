package version

import (
	"fmt"
	"strings"
)

// SemVer is a parsed Semantic Versioning 2.0 version. Build metadata is
// kept but, as the specification says, does not take part in ordering.
type SemVer struct {
	Major, Minor, Patch string
	Pre                 []string
	Build               string
}

// ParseSemVer parses MAJOR.MINOR.PATCH[-PRE][+BUILD] as SemVer 2.0
// defines it; OSV also writes a leading "v" now and then, which is
// accepted. Numbers must not have leading zeros.
func ParseSemVer(s string) (*SemVer, error) {
	if err := checkLen("SemVer", s); err != nil {
		return nil, err
	}
	rest := strings.TrimPrefix(s, "v")
	v := &SemVer{}
	rest, v.Build, _ = strings.Cut(rest, "+")
	core, pre, hasPre := strings.Cut(rest, "-")
	nums := strings.Split(core, ".")
	if len(nums) != 3 {
		return nil, fmt.Errorf("%q is not a semantic version (MAJOR.MINOR.PATCH)", s)
	}
	for _, n := range nums {
		if !isDigits(n) || (len(n) > 1 && n[0] == '0') {
			return nil, fmt.Errorf("%q is not a semantic version: %q is not a number without leading zeros", s, n)
		}
	}
	v.Major, v.Minor, v.Patch = nums[0], nums[1], nums[2]
	if hasPre {
		v.Pre = strings.Split(pre, ".")
		for _, id := range v.Pre {
			if !validIdent(id) || (isDigits(id) && len(id) > 1 && id[0] == '0') {
				return nil, fmt.Errorf("%q is not a semantic version: bad pre-release identifier %q", s, id)
			}
		}
	}
	if strings.Contains(s, "+") {
		for _, id := range strings.Split(v.Build, ".") {
			if !validIdent(id) {
				return nil, fmt.Errorf("%q is not a semantic version: bad build identifier %q", s, id)
			}
		}
	}
	return v, nil
}

// CompareSemVer orders two semantic versions by SemVer 2.0 precedence.
func CompareSemVer(a, b string) (int, error) {
	return compareWith(ParseSemVer, a, b)
}

// Compare orders v against w: major, minor, patch as numbers; a
// pre-release before its release; pre-release identifiers one by one,
// numbers below words, a shorter list first when all else is equal.
func (v *SemVer) Compare(w *SemVer) int {
	for _, p := range [][2]string{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if c := cmpNum(p[0], p[1]); c != 0 {
			return c
		}
	}
	if len(v.Pre) == 0 || len(w.Pre) == 0 {
		return -cmpRank(len(v.Pre), len(w.Pre))
	}
	for i := 0; i < min(len(v.Pre), len(w.Pre)); i++ {
		a, b := v.Pre[i], w.Pre[i]
		na, nb := isDigits(a), isDigits(b)
		var c int
		switch {
		case na && nb:
			c = cmpNum(a, b)
		case na:
			c = -1
		case nb:
			c = 1
		default:
			c = strings.Compare(a, b)
		}
		if c != 0 {
			return c
		}
	}
	return cmpRank(len(v.Pre), len(w.Pre))
}

// validIdent reports whether id is a non-empty run of [0-9A-Za-z-].
func validIdent(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !isAlnum(r) && r != '-' {
			return false
		}
	}
	return true
}
