package flow

import (
	"fmt"
	"maps"
	"math"
	"strings"

	"gopkg.in/yaml.v3"
)

// scalarValue types a YAML scalar as a parameter value: string, int64,
// float64 or bool. Dates and other plain text stay strings. It returns an
// error message (without location) when n is not a usable scalar.
func scalarValue(n *yaml.Node) (any, string) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return nil, fmt.Sprintf("want a string, number or true/false, got %s", describe(n))
	}
	switch n.ShortTag() {
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return nil, fmt.Sprintf("integer %s does not fit in 64 bits", n.Value)
		}
		return i, ""
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Sprintf("want a finite number, got %s", n.Value)
		}
		return f, ""
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Sprintf("want true or false, got %q", n.Value)
		}
		return b, ""
	}
	return n.Value, ""
}

// params decodes a mapping of parameter names to scalar values.
func (p *parser) params(n *yaml.Node, field string) map[string]any {
	out := make(map[string]any)
	for _, e := range p.varNames(p.entries(n, field), field, "LOCKSTEP_PARAM_") {
		v, msg := scalarValue(e.val)
		if msg != "" {
			p.report(e.val, field+"."+e.name, "parameters are scalars: string, integer, float or bool", "%s", msg)
			continue
		}
		out[e.name] = v
	}
	return out
}

// ResolveParams returns the parameters step runs with: the flow's defaults,
// overridden by the step's params, overridden by overrides (from the command
// line). An integer override of a float parameter becomes a float, so
// "lr=1" and "lr=1.0" mean the same. An unknown step gets the flow's
// defaults and the overrides.
func (f *Flow) ResolveParams(step string, overrides map[string]any) map[string]any {
	out := maps.Clone(f.Params)
	if out == nil {
		out = make(map[string]any)
	}
	if s, ok := f.Steps[step]; ok {
		maps.Copy(out, s.Params)
	}
	for k, v := range overrides {
		if i, isInt := v.(int64); isInt {
			if _, isFloat := out[k].(float64); isFloat {
				v = float64(i)
			}
		}
		out[k] = v
	}
	return out
}

// ParseParam parses a command-line parameter "NAME=VALUE". The value is
// typed as a YAML scalar: "0.5" is a float64, "100" an int64, "true" a bool,
// anything else a string; quote it ('"100"') to force a string.
func ParseParam(kv string) (string, any, error) {
	name, value, ok := strings.Cut(kv, "=")
	if !ok {
		return "", nil, fmt.Errorf("--param %q: want NAME=VALUE, e.g. --param lr=0.1", kv)
	}
	if !validName(varNameRE, name) {
		return "", nil, fmt.Errorf("--param %q: invalid name %q (%s)", kv, name, varNameHint)
	}
	if value == "" {
		return name, "", nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil || len(doc.Content) != 1 {
		return "", nil, fmt.Errorf("--param %q: value is not a YAML scalar (quote it to pass a string: %s='%q')", kv, name, value)
	}
	n := doc.Content[0]
	if n.Kind != yaml.ScalarNode || isNull(n) || n.Anchor != "" || n.Tag != "" && !strings.HasPrefix(n.Tag, "!!") ||
		n.LineComment != "" || n.HeadComment != "" || n.FootComment != "" || doc.HeadComment != "" || doc.FootComment != "" {
		return "", nil, fmt.Errorf("--param %q: want a string, number or true/false, got %s (quote it to pass a string: %s='%q')", kv, describe(n), name, value)
	}
	v, msg := scalarValue(n)
	if msg != "" {
		return "", nil, fmt.Errorf("--param %q: %s", kv, msg)
	}
	return name, v, nil
}
