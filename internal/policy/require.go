package policy

import "gopkg.in/yaml.v3"

// require reads the require: section.
func (r *reader) require(n *yaml.Node, p *Policy) error {
	f, err := r.fields(n, "require", "provenance", "sandbox", "datasets", "code", "formats", "reproduced", "modelSignature", "dependencies")
	if err != nil {
		return err
	}
	q := &p.Require
	if v := f["provenance"]; v != nil {
		if q.Provenance, err = r.provenance(v, p); err != nil {
			return err
		}
	}
	if v := f["sandbox"]; v != nil {
		if q.Sandbox, err = r.oneOf(v, "require.sandbox", SandboxHermetic, SandboxConfined); err != nil {
			return err
		}
	}
	if v := f["datasets"]; v != nil {
		if q.Datasets, err = r.datasets(v, p); err != nil {
			return err
		}
	}
	if v := f["code"]; v != nil {
		if q.Code, err = r.code(v, p); err != nil {
			return err
		}
	}
	if v := f["formats"]; v != nil {
		ff, err := r.fields(v, "require.formats", "pickle")
		if err != nil {
			return err
		}
		q.Formats = &FormatRule{Pickle: "deny"}
		if pk := ff["pickle"]; pk != nil {
			if q.Formats.Pickle, err = r.oneOf(pk, "require.formats.pickle", "deny", "allow-safe", "allow"); err != nil {
				return err
			}
		}
	}
	if v := f["reproduced"]; v != nil {
		if q.Reproduced, err = signedRule(r, v, p, "require.reproduced", "by", func(s string) *ReproducedRule { return &ReproducedRule{By: s} }); err != nil {
			return err
		}
	}
	if v := f["dependencies"]; v != nil {
		if q.Dependencies, err = r.dependencies(v); err != nil {
			return err
		}
	}
	if v := f["modelSignature"]; v != nil {
		if q.ModelSignature, err = signedRule(r, v, p, "require.modelSignature", "signedBy", func(s string) *ModelSignatureRule { return &ModelSignatureRule{SignedBy: s} }); err != nil {
			return err
		}
	}
	return nil
}

// signedRule reads a mapping with one required role key.
func signedRule[T any](r *reader, n *yaml.Node, p *Policy, where, key string, make func(string) *T) (*T, error) {
	f, err := r.fields(n, where, key)
	if err != nil {
		return nil, err
	}
	if f[key] == nil {
		return nil, r.errorf(n, "%s needs %s: ROLE", where, key)
	}
	role, err := r.role(f[key], where+"."+key, p)
	if err != nil {
		return nil, err
	}
	return make(role), nil
}

func (r *reader) provenance(n *yaml.Node, p *Policy) (*ProvenanceRule, error) {
	f, err := r.fields(n, "require.provenance", "signedBy", "maxAge")
	if err != nil {
		return nil, err
	}
	if f["signedBy"] == nil {
		return nil, r.errorf(n, "require.provenance needs signedBy: ROLE")
	}
	rule := &ProvenanceRule{}
	if rule.SignedBy, err = r.role(f["signedBy"], "require.provenance.signedBy", p); err != nil {
		return nil, err
	}
	if v := f["maxAge"]; v != nil {
		s, err := r.str(v, "require.provenance.maxAge")
		if err != nil {
			return nil, err
		}
		if rule.MaxAge, err = parseAge(s); err != nil {
			return nil, r.errorf(v, "require.provenance.maxAge: %v", err)
		}
	}
	return rule, nil
}

func (r *reader) datasets(n *yaml.Node, p *Policy) (*DatasetRule, error) {
	f, err := r.fields(n, "require.datasets", "bom", "signedBy", "licenses")
	if err != nil {
		return nil, err
	}
	rule := &DatasetRule{}
	if v := f["bom"]; v != nil {
		if rule.BOM, err = r.boolean(v, "require.datasets.bom"); err != nil {
			return nil, err
		}
	}
	if v := f["signedBy"]; v != nil {
		if rule.SignedBy, err = r.role(v, "require.datasets.signedBy", p); err != nil {
			return nil, err
		}
		rule.BOM = true
	}
	if v := f["licenses"]; v != nil {
		if rule.Licenses, _, err = r.strings(v, "require.datasets.licenses"); err != nil {
			return nil, err
		}
		if len(rule.Licenses) == 0 {
			return nil, r.errorf(v, "require.datasets.licenses is empty, which would refuse every dataset; list the SPDX ids you allow")
		}
		rule.BOM = true
	}
	return rule, nil
}

func (r *reader) code(n *yaml.Node, p *Policy) (*CodeRule, error) {
	f, err := r.fields(n, "require.code", "reviewedBy", "minReviewers")
	if err != nil {
		return nil, err
	}
	if f["reviewedBy"] == nil {
		return nil, r.errorf(n, "require.code needs reviewedBy: ROLE")
	}
	rule := &CodeRule{MinReviewers: 1}
	if rule.ReviewedBy, err = r.role(f["reviewedBy"], "require.code.reviewedBy", p); err != nil {
		return nil, err
	}
	if v := f["minReviewers"]; v != nil {
		if rule.MinReviewers, err = r.integer(v, "require.code.minReviewers", 1); err != nil {
			return nil, err
		}
		if rule.MinReviewers > len(p.Authorities[rule.ReviewedBy]) {
			return nil, r.errorf(v, "require.code.minReviewers is %d but role %q has only %d keys; no code could pass", rule.MinReviewers, rule.ReviewedBy, len(p.Authorities[rule.ReviewedBy]))
		}
	}
	return rule, nil
}
