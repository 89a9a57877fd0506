package policy

import (
	"fmt"
	"strings"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
)

// ReproductionPredicateType is attest.ReproductionPredicateType, the
// predicate type of the reproduction attestations policies read.
const ReproductionPredicateType = attest.ReproductionPredicateType

// reproduction is the part of a reproduction predicate policy reads.
type reproduction struct {
	OriginalRun string `json:"originalRun"`
	Rerun       string `json:"rerun"`
	Outputs     []struct {
		Name     string `json:"name"`
		Verdict  string `json:"verdict"`
		Original string `json:"original"`
		Rerun    string `json:"rerun"`
	} `json:"outputs"`
}

// verdictFor returns the verdict on the output whose original digest is d.
func (p *reproduction) verdictFor(d core.Digest) (name, verdict, rerun string, ok bool) {
	for _, o := range p.Outputs {
		if o.Original == string(d) {
			return o.Name, o.Verdict, o.Rerun, true
		}
	}
	return "", "", "", false
}

// reproduced checks a rebuilder attested a rerun of the artifact's run
// whose output has exactly the artifact's digest.
func (e *evaluator) reproduced() (*Check, error) {
	r := e.pol.Require.Reproduced
	list, err := e.attestations(e.t.Digest, ReproductionPredicateType)
	if err != nil {
		return nil, err
	}
	e.ev.Reproductions = list
	if r == nil {
		return nil, nil
	}
	if e.ev.Run == nil {
		return e.noRun("reproduced"), nil
	}
	var notes []string
	for _, se := range list {
		var p reproduction
		switch {
		case !e.signedBy(se, r.By):
			notes = append(notes, "a reproduction "+describe(se)+", not by role "+r.By)
		case decode(se.Predicate, &p) != nil:
			notes = append(notes, "a reproduction with an unreadable predicate")
		case p.OriginalRun != e.ev.Run.ID:
			notes = append(notes, fmt.Sprintf("a reproduction of another run (%s)", p.OriginalRun))
		default:
			if name, v, rerun, ok := p.verdictFor(e.t.Digest); ok && v == "reproduced" && rerun == string(e.t.Digest) {
				c := pass("reproduced", se.Bundle, fmt.Sprintf("rerun %s rebuilt %s bit-identically, %s", p.Rerun, name, describe(se)))
				return &c, nil
			}
		}
	}
	notes = append(notes, e.differed(r.By)...)
	msg := fmt.Sprintf("no reproduction of run %s by role %s produced %s", e.ev.Run.ID, r.By, e.t.Digest.Short())
	if len(notes) > 0 {
		msg += ": " + strings.Join(notes, "; ")
	} else {
		msg += " (rebuild it independently: `lockstep reproduce " + e.ev.Run.ID + " --sign-with KEY`)"
	}
	c := fail("reproduced", "", msg)
	return &c, nil
}

// differed finds signed reproductions of the run (indexed under its other
// outputs) that rebuilt this artifact differently.
func (e *evaluator) differed(role string) []string {
	var notes []string
	seen := map[core.Digest]bool{}
	for _, step := range e.steps() {
		for _, a := range e.ev.Tasks[step].Task.Outputs {
			if a.Digest == e.t.Digest || seen[a.Digest] {
				continue
			}
			seen[a.Digest] = true
			list, err := e.attestations(a.Digest, ReproductionPredicateType)
			if err != nil {
				continue
			}
			for _, se := range list {
				var p reproduction
				if !e.signedBy(se, role) || decode(se.Predicate, &p) != nil || p.OriginalRun != e.ev.Run.ID {
					continue
				}
				if name, v, rerun, ok := p.verdictFor(e.t.Digest); ok && !seen[se.Bundle] {
					seen[se.Bundle] = true
					notes = append(notes, fmt.Sprintf("rerun %s rebuilt %s differently (%s: %s instead of %s)", p.Rerun, name, v, shortOf(rerun), e.t.Digest.Short()))
				}
			}
		}
	}
	return notes
}

func shortOf(s string) string {
	if d, err := core.ParseDigest(s); err == nil {
		return d.Short()
	}
	if s == "" {
		return "nothing"
	}
	return s
}
