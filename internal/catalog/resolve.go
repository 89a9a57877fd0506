package catalog

import (
	"fmt"
	"strings"
)

// LastRun is the run reference ResolveRun reads as "the newest started run".
const LastRun = "last"

// MaxCandidates is how many matching ids an ambiguous-prefix error lists.
const MaxCandidates = 5

// PickRun is the part of ResolveRun every implementation shares: it
// rejects an empty ref, asks match for the candidates and turns them into
// the run id or the error the user sees. match returns the one id ref
// names exactly (for LastRun, the newest started run), else the newest
// MaxCandidates+1 ids that start with ref, newest first; none if nothing
// matches.
func PickRun(ref string, match func() ([]string, error)) (string, error) {
	if ref == "" {
		return "", fmt.Errorf("resolve run: empty reference; give a run id, a unique prefix of one, or %q", LastRun)
	}
	ids, err := match()
	switch {
	case err != nil:
		return "", fmt.Errorf("resolve run %q: %w", ref, err)
	case len(ids) == 0 && ref == LastRun:
		return "", fmt.Errorf("run %q: %w: the catalog has no runs yet", ref, ErrNotFound)
	case len(ids) == 0:
		return "", fmt.Errorf("run %q: %w; list them with `lockstep runs`", ref, ErrNotFound)
	case len(ids) == 1:
		return ids[0], nil
	}
	more := ""
	if len(ids) > MaxCandidates {
		ids, more = ids[:MaxCandidates], " and more"
	}
	return "", fmt.Errorf("run %q: %w: it matches %s%s; give more characters",
		ref, ErrAmbiguous, strings.Join(ids, ", "), more)
}
