package policy

import (
	"fmt"
	"strings"

	"lockstep.dev/lockstep/internal/attest"
)

// code checks the run's code tree carries reviews by enough distinct keys
// of the reviewer role.
func (e *evaluator) code() (*Check, error) {
	r := e.pol.Require.Code
	if e.ev.Run == nil {
		if r == nil {
			return nil, nil
		}
		return e.noRun("code"), nil
	}
	code := e.ev.Run.Code
	list, err := e.attestations(code, attest.ReviewPredicateType)
	if err != nil {
		return nil, err
	}
	e.ev.Reviews = list
	if r == nil {
		return nil, nil
	}
	var by, others []string
	seen := map[string]bool{}
	for _, se := range list {
		switch {
		case e.signedBy(se, r.ReviewedBy):
			if !seen[se.Signer] {
				seen[se.Signer] = true
				by = append(by, se.SignerKey)
			}
		default:
			others = append(others, describe(se))
		}
	}
	if len(by) >= r.MinReviewers {
		c := pass("code", code, fmt.Sprintf("code tree %s reviewed by %s (role %s)", code.Short(), strings.Join(by, ", "), r.ReviewedBy))
		return &c, nil
	}
	msg := fmt.Sprintf("code tree %s has %d of %d required reviews by role %s", code.Short(), len(by), r.MinReviewers, r.ReviewedBy)
	if len(others) > 0 {
		msg += "; other reviews: " + strings.Join(others, "; ")
	} else if len(by) == 0 {
		msg += " (this exact code was never reviewed; a review of other code does not count: `lockstep review approve " + e.ev.Run.ID + " --key KEY`)"
	}
	c := fail("code", code, msg)
	return &c, nil
}
