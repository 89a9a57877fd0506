package capture

import (
	"errors"
	"strings"
)

// errBadGlob is returned for a glob with an unclosed "[" or a trailing "\".
var errBadGlob = errors.New("unclosed [ or trailing \\")

// globMatch reports whether name (one path segment) matches the glob
// pattern as git's wildmatch does: "*" any run of bytes, "?" one byte,
// "[...]" a class ("!" or "^" negates, ranges, [:alpha:] and the other
// POSIX classes), "\" quotes the next byte. A bad pattern matches nothing.
func globMatch(pattern, name string) bool {
	px, nx := 0, 0
	starP, starN := -1, 0
	for px < len(pattern) || nx < len(name) {
		if px < len(pattern) && nx < len(name) {
			switch c := pattern[px]; c {
			case '*':
				starP, starN = px, nx
				px++
				continue
			case '?':
				px++
				nx++
				continue
			case '[':
				ok, width, valid := matchClass(pattern[px:], name[nx])
				if !valid {
					return false
				}
				if ok {
					px += width
					nx++
					continue
				}
			case '\\':
				if px+1 < len(pattern) && pattern[px+1] == name[nx] {
					px += 2
					nx++
					continue
				}
			default:
				if c == name[nx] {
					px++
					nx++
					continue
				}
			}
		} else if px < len(pattern) && pattern[px] == '*' {
			starP, starN = px, nx
			px++
			continue
		}
		if starP < 0 || starN >= len(name) {
			return false
		}
		starN++
		px, nx = starP+1, starN
	}
	return true
}

// posixClasses are the [:name:] classes a bracket expression may hold.
var posixClasses = map[string]func(byte) bool{
	"alnum":  func(c byte) bool { return isAlpha(c) || isDigit(c) },
	"alpha":  isAlpha,
	"blank":  func(c byte) bool { return c == ' ' || c == '\t' },
	"cntrl":  func(c byte) bool { return c < 32 || c == 127 },
	"digit":  isDigit,
	"graph":  func(c byte) bool { return c > 32 && c < 127 },
	"lower":  func(c byte) bool { return c >= 'a' && c <= 'z' },
	"print":  func(c byte) bool { return c >= 32 && c < 127 },
	"punct":  func(c byte) bool { return c > 32 && c < 127 && !isAlpha(c) && !isDigit(c) },
	"space":  func(c byte) bool { return strings.IndexByte(" \t\n\r\f\v", c) >= 0 },
	"upper":  func(c byte) bool { return c >= 'A' && c <= 'Z' },
	"xdigit": func(c byte) bool { return isDigit(c) || strings.IndexByte("abcdefABCDEF", c) >= 0 },
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// matchClass matches c against the bracket expression at the start of p
// and returns the expression's width; valid is false when it is not closed.
func matchClass(p string, c byte) (ok bool, width int, valid bool) {
	i := 1
	negate := i < len(p) && (p[i] == '!' || p[i] == '^')
	if negate {
		i++
	}
	first := true
	for ; i < len(p); first = false {
		if p[i] == ']' && !first {
			return ok != negate, i + 1, true
		}
		if strings.HasPrefix(p[i:], "[:") {
			if end := strings.Index(p[i+2:], ":]"); end >= 0 {
				class, known := posixClasses[p[i+2:i+2+end]]
				if !known {
					return false, 0, false
				}
				ok = ok || class(c)
				i += end + 4
				continue
			}
		}
		lo, n := classChar(p[i:])
		if n == 0 {
			return false, 0, false
		}
		i += n
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			if hi, n = classChar(p[i+1:]); n == 0 {
				return false, 0, false
			}
			i += 1 + n
		}
		ok = ok || lo <= c && c <= hi
	}
	return false, 0, false
}

// classChar reads one possibly backslash-quoted byte of a bracket
// expression; n is 0 at the end of the pattern.
func classChar(p string) (c byte, n int) {
	if p == "" {
		return 0, 0
	}
	if p[0] == '\\' {
		if len(p) < 2 {
			return 0, 0
		}
		return p[1], 2
	}
	return p[0], 1
}

// checkGlob returns errBadGlob for a pattern that can never match because
// it is malformed.
func checkGlob(pattern string) error {
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			if i+1 == len(pattern) {
				return errBadGlob
			}
			i++
		case '[':
			_, width, valid := matchClass(pattern[i:], 0)
			if !valid {
				return errBadGlob
			}
			i += width - 1
		}
	}
	return nil
}
