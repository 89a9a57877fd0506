package flow

import (
	"fmt"
	"strings"
)

// suggest returns the candidate closest to word when it is close enough to
// be a likely typo, or "" if none is. Candidates are tried in order; the
// first of equally close ones wins.
func suggest(word string, candidates []string) string {
	best, bestDist := "", -1
	limit := max(1, len([]rune(word))/3)
	for _, c := range candidates {
		if c == word {
			continue
		}
		d := distance(strings.ToLower(word), strings.ToLower(c))
		if (d > limit || d >= len(word)) && !(len(word) >= 3 && strings.HasPrefix(c, word)) {
			continue
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// didYouMean returns the hint `did you mean "x"?` for the closest candidate,
// or "" when none is close.
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return ""
}

// distance is the optimal string alignment distance between a and b: the
// number of single-rune insertions, deletions, substitutions and
// transpositions of neighbours that turn a into b.
func distance(a, b string) int {
	s, t := []rune(a), []rune(b)
	if len(s) > 64 || len(t) > 64 {
		// Names that long are not typos of one another; keep the cost bounded.
		if a == b {
			return 0
		}
		return max(len(s), len(t))
	}
	// d[i][j] is the distance between s[:i] and t[:j].
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}
