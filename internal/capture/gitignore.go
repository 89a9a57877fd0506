package capture

import (
	"fmt"
	"io"
	"strings"
)

// ignorePattern is one line of a .gitignore file.
type ignorePattern struct {
	// segs are the glob's slash-separated segments; "**" is a segment of
	// its own that matches any number of directories.
	segs []string
	// negate is set by a leading "!": a match keeps the path.
	negate bool
	// dirOnly is set by a trailing "/": only directories match.
	dirOnly bool
	// anchored patterns (a slash anywhere but the end) match the path
	// relative to the .gitignore's directory; others match the last
	// path segment at any depth.
	anchored bool
	// bad marks a malformed glob, which matches nothing (as in git).
	bad bool
}

// parseIgnoreLine parses one .gitignore line; ok is false for blank lines
// and comments.
func parseIgnoreLine(line string) (p ignorePattern, ok bool) {
	line = trimTrailingSpaces(line)
	if line == "" || line[0] == '#' {
		return p, false
	}
	if line[0] == '!' {
		p.negate = true
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		p.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if strings.Contains(line, "/") {
		p.anchored = true
		line = strings.TrimLeft(line, "/")
	}
	if line == "" {
		return p, false
	}
	for _, s := range strings.Split(line, "/") {
		if s == "" {
			continue // "a//b" is "a/b"
		}
		if s == "**" && len(p.segs) > 0 && p.segs[len(p.segs)-1] == "**" {
			continue
		}
		if checkGlob(s) != nil {
			p.bad = true
		}
		p.segs = append(p.segs, s)
	}
	return p, len(p.segs) > 0
}

// trimTrailingSpaces removes trailing spaces unless quoted with "\".
func trimTrailingSpaces(line string) string {
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\\ ") {
		line = line[:len(line)-1]
	}
	return line
}

// parseIgnore streams a .gitignore (or info/exclude) file.
func parseIgnore(r io.Reader) ([]ignorePattern, error) {
	var pats []ignorePattern
	err := eachLine(r, func(line string) bool {
		if p, ok := parseIgnoreLine(line); ok {
			pats = append(pats, p)
		}
		return true
	})
	return pats, err
}

// parseUserPatterns parses include or exclude patterns given by the user,
// which use .gitignore syntax; a malformed one is an error naming it.
func parseUserPatterns(kind string, lines []string) ([]ignorePattern, error) {
	var pats []ignorePattern
	for i, line := range lines {
		p, ok := parseIgnoreLine(line)
		if !ok {
			continue
		}
		if p.bad {
			return nil, fmt.Errorf("%s pattern %d %q: %w (close the bracket or quote it as \\[)", kind, i+1, line, errBadGlob)
		}
		pats = append(pats, p)
	}
	return pats, nil
}

// match reports whether the pattern matches a path given as segments
// relative to the pattern's directory.
func (p ignorePattern) match(segs []string, isDir bool) bool {
	if p.bad || len(segs) == 0 || p.dirOnly && !isDir {
		return false
	}
	if !p.anchored {
		return globMatch(p.segs[0], segs[len(segs)-1])
	}
	return matchSegments(p.segs, segs)
}

// matchSegments matches glob segments against path segments; "**" matches
// zero or more segments, but a trailing "**" at least one ("a/**" is what
// is inside a, not a itself).
func matchSegments(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			if len(pat) == 1 {
				return len(segs) > 0
			}
			for i := 0; i <= len(segs); i++ {
				if matchSegments(pat[1:], segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 || !globMatch(pat[0], segs[0]) {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// lastMatch applies a pattern list the git way: the last matching pattern
// decides. matched is false when none matches; keep is set by a matching
// negated pattern.
func lastMatch(pats []ignorePattern, segs []string, isDir bool) (matched, keep bool) {
	for i := len(pats) - 1; i >= 0; i-- {
		if pats[i].match(segs, isDir) {
			return true, pats[i].negate
		}
	}
	return false, false
}
