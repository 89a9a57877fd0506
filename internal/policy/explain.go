package policy

import (
	"fmt"
	"strings"
)

// Explain describes the policy in plain words, one sentence per line.
func (p *Policy) Explain() []string {
	var out []string
	for _, role := range p.Roles {
		var names []string
		for _, k := range p.Authorities[role] {
			names = append(names, fmt.Sprintf("%s (%s)", k.Name, k.Fingerprint()))
		}
		out = append(out, fmt.Sprintf("Role %s is held by %s.", role, strings.Join(names, ", ")))
	}
	q := p.Require
	if r := q.Provenance; r != nil {
		s := "An artifact needs provenance signed by a " + r.SignedBy + " key"
		if r.MaxAge > 0 {
			s += ", from a run that finished at most " + formatAge(r.MaxAge) + " ago"
		}
		out = append(out, s+".")
	}
	switch q.Sandbox {
	case SandboxHermetic:
		out = append(out, "Every task of the run must have run in the bubblewrap sandbox without network.")
	case SandboxConfined:
		out = append(out, "Every task of the run must have run in the bubblewrap sandbox (network allowed).")
	}
	if r := q.Datasets; r != nil {
		s := "Every dataset the run read needs a bill of materials"
		if r.SignedBy != "" {
			s += " signed by a " + r.SignedBy + " key"
		}
		if len(r.Licenses) > 0 {
			s += ", a license among " + strings.Join(r.Licenses, ", ")
		}
		out = append(out, s+", and stored files matching it.")
	}
	if r := q.Code; r != nil {
		out = append(out, fmt.Sprintf("The run's exact code tree needs reviews by at least %d distinct %s keys.", r.MinReviewers, r.ReviewedBy))
	}
	if r := q.Formats; r != nil {
		switch r.Pickle {
		case "deny":
			out = append(out, "No file the run's tasks wrote, nor any file of its datasets, may be a pickle, even one let in on purpose.")
		case "allow-safe":
			out = append(out, "Pickles the scanner let in are accepted only if every global they import is on the safe list.")
		default:
			out = append(out, "Pickles the scanner let in by a format policy are accepted.")
		}
	}
	if r := q.Reproduced; r != nil {
		out = append(out, "A "+r.By+" key must attest an independent rerun that produced the artifact's exact digest.")
	}
	if r := q.ModelSignature; r != nil {
		out = append(out, "A model needs an OpenSSF model signature by a "+r.SignedBy+" key over its exact files.")
	}
	if r := q.Dependencies; r != nil {
		out = append(out, r.explain()...)
	}
	for _, m := range p.Rego {
		out = append(out, "Rego rules in "+m.Path+" may deny it too (any message in "+RegoQuery+").")
	}
	if p.Admission.RequireModel {
		out = append(out, "The admission webhook denies pods whose containers name no model.")
	} else {
		out = append(out, "The admission webhook admits pods that name no model; those that do must pass.")
	}
	if p.Admission.AllowTags {
		out = append(out, "The admission webhook admits a model named by an OCI tag without a digest, judging what the tag names at that moment.")
	}
	if len(out) == 0 || (q == Require{} && len(p.Rego) == 0) {
		out = append(out, "Nothing is required: every artifact passes.")
	}
	return out
}
