package policy

import (
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// Result is the outcome of evaluating a policy for one artifact.
type Result struct {
	Subject core.Digest `json:"subject"`
	Policy  string      `json:"policy"`
	// Allowed is true when every required check passed.
	Allowed bool    `json:"allowed"`
	Checks  []Check `json:"checks"`
	// Evidence is the document the checks (and Rego) looked at.
	Evidence *Evidence `json:"evidence"`
}

// Check is one requirement, passed or failed, with the reason in plain
// words, the digest of the evidence it rests on, and its sub-checks.
type Check struct {
	Name     string      `json:"name"`
	Passed   bool        `json:"passed"`
	Reason   string      `json:"reason"`
	Evidence core.Digest `json:"evidence,omitempty"`
	Checks   []Check     `json:"checks,omitempty"`
}

// Failures lists the failed checks that have no failed sub-checks, each as
// "name: reason" with the names of its parents, for one-line messages.
func (r *Result) Failures() []string {
	var out []string
	var walk func(prefix string, cs []Check)
	walk = func(prefix string, cs []Check) {
		for _, c := range cs {
			if c.Passed {
				continue
			}
			name := prefix + c.Name
			if failed(c.Checks) {
				walk(name+" / ", c.Checks)
				continue
			}
			out = append(out, name+": "+c.Reason)
		}
	}
	walk("", r.Checks)
	return out
}

// Summary is one line saying whether the artifact is allowed and why not.
func (r *Result) Summary() string {
	if r.Allowed {
		return "allowed by policy " + r.Policy
	}
	return "denied by policy " + r.Policy + ": " + strings.Join(r.Failures(), "; ")
}

func failed(cs []Check) bool {
	for _, c := range cs {
		if !c.Passed {
			return true
		}
	}
	return false
}

// group makes a check that passes when all of children pass.
func group(name, passReason, failReason string, children []Check) Check {
	c := Check{Name: name, Passed: !failed(children), Checks: children, Reason: passReason}
	if !c.Passed {
		c.Reason = failReason
	}
	return c
}

func pass(name string, ev core.Digest, reason string) Check {
	return Check{Name: name, Passed: true, Reason: reason, Evidence: ev}
}

func fail(name string, ev core.Digest, reason string) Check {
	return Check{Name: name, Reason: reason, Evidence: ev}
}
