package flow

import (
	"gopkg.in/yaml.v3"
)

// compare decodes a step's "compare" mapping: an output name or a file
// relative to an output, mapped to {rtol: R, atol: A}.
func (p *parser) compare(n *yaml.Node, field string) map[string]Tolerance {
	out := make(map[string]Tolerance)
	for _, e := range p.entries(n, field) {
		name, msg := cleanRel(e.name)
		if msg != "" {
			p.report(e.key, field, "name an output, or a file relative to an output", "%s", msg)
			continue
		}
		f := field + "." + e.name
		m := p.fields(e.val, f, "rtol", "atol")
		var t Tolerance
		ok := true
		for _, bound := range []struct {
			key string
			dst *float64
		}{{"rtol", &t.RTol}, {"atol", &t.ATol}} {
			b, set := m[bound.key]
			if !set {
				continue
			}
			v, valid := p.number(b.val, f+"."+bound.key)
			if valid && v < 0 {
				p.report(b.val, f+"."+bound.key, "a tolerance is 0 (exact) or more", "want 0 or more, got %v", v)
				valid = false
			}
			*bound.dst = v
			ok = ok && valid
		}
		if ok {
			out[name] = t
		}
	}
	return out
}
