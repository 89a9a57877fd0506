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
	lower := strings.ToLower(word)
	for _, c := range candidates {
		if c == word {
			continue
		}
		prefix := len(word) >= 3 && strings.HasPrefix(c, word)
		if !prefix && abs(len(c)-len(word)) > limit {
			continue // the distance is at least the difference in length
		}
		d := distance(lower, strings.ToLower(c))
		if (d > limit || d >= len(word)) && !prefix {
			continue
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// didYouMean is didYouMean for a problem of the flow file; it makes no
// suggestion once the problem would not be shown.
func (p *parser) didYouMean(word string, candidates []string) string {
	if p.full() {
		return ""
	}
	return didYouMean(word, candidates)
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
	if len(s) > maxDistanceLen || len(t) > maxDistanceLen {
		// Names that long are not typos of one another; keep the cost bounded.
		if a == b {
			return 0
		}
		return max(len(s), len(t))
	}
	// Three rows of the distance matrix, on the stack: row i holds the
	// distances between s[:i] and every prefix of t.
	var rows [3][maxDistanceLen + 1]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := range len(t) + 1 {
		prev[j] = j
	}
	for i := 1; i <= len(s); i++ {
		cur[0] = i
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(t)]
}

// maxDistanceLen bounds the names distance compares rune by rune.
const maxDistanceLen = 64

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
