package flow

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// maxErrors bounds the problems Parse lists; the rest are counted.
const maxErrors = 100

// parser collects the problems of one flow file while it is decoded.
type parser struct {
	file    string
	dir     string // "" = do not look at the file system
	errs    ErrorList
	dropped int // problems found beyond maxErrors

	// Known once every step's outputs are decoded, for suggestions:
	names []string // step names, sorted
	refs  []string // every STEP.OUTPUT, sorted
}

// full reports whether maxErrors problems are listed already; callers skip
// costly work, such as suggestions, for problems that will not be shown.
func (p *parser) full() bool { return len(p.errs) >= maxErrors }

// report records a problem at node n. hint may be empty.
func (p *parser) report(n *yaml.Node, field, hint, format string, args ...any) {
	if p.full() {
		p.dropped++
		return
	}
	e := &Error{File: p.file, Field: oneLine(field), Msg: oneLine(fmt.Sprintf(format, args...)), Hint: oneLine(hint)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// oneLine escapes control characters, such as line breaks in a key, so
// that every problem prints on one line.
func oneLine(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// entry is one key: value pair of a YAML mapping.
type entry struct {
	name     string
	key, val *yaml.Node
}

// entries returns the pairs of the mapping n in document order. A missing
// or null n is an empty mapping. Other kinds of value and repeated keys are
// reported and left out.
func (p *parser) entries(n *yaml.Node, field string) []entry {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.report(n, field, "", "want a mapping of keys, got %s", describe(n))
		return nil
	}
	seen := make(map[string]int)
	var out []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
			p.report(k, field, "", "a key must be a plain name, got %s", describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.report(k, field, "remove one of them", "key %q is repeated, first at line %d", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, entry{name: k.Value, key: k, val: v})
	}
	return out
}

// quiet returns the pairs of a mapping already checked by entries, without
// reporting anything again.
func (p *parser) quiet(n *yaml.Node) []entry {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, entry{name: n.Content[i].Value, key: n.Content[i], val: n.Content[i+1]})
	}
	return out
}

// fields returns the pairs of a mapping whose keys are fixed, by key.
// Unknown keys are reported with the nearest known key as a suggestion.
func (p *parser) fields(n *yaml.Node, field string, known ...string) map[string]entry {
	out := make(map[string]entry)
	for _, e := range p.entries(n, field) {
		if !slices.Contains(known, e.name) {
			hint := p.didYouMean(e.name, known)
			if hint == "" {
				hint = "known keys: " + strings.Join(known, ", ")
			}
			p.report(e.key, field, hint, "unknown key %q", e.name)
			continue
		}
		out[e.name] = e
	}
	return out
}

// str returns a scalar as written. Numbers and booleans are accepted as their text.
func (p *parser) str(n *yaml.Node, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.report(n, field, "", "want a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// boolean returns a true or false scalar.
func (p *parser) boolean(n *yaml.Node, field string) (bool, bool) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		p.report(n, field, "", "want true or false, got %s", describe(n))
		return false, false
	}
	return b, true
}

// integer returns an integer scalar that fits in an int64.
func (p *parser) integer(n *yaml.Node, field string) (int64, bool) {
	var i int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
		p.report(n, field, "", "want an integer, got %s", describe(n))
		return 0, false
	}
	return i, true
}

// number returns a finite integer or float scalar.
func (p *parser) number(n *yaml.Node, field string) (float64, bool) {
	var f float64
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil ||
		math.IsInf(f, 0) || math.IsNaN(f) {
		p.report(n, field, "", "want a number, got %s", describe(n))
		return 0, false
	}
	return f, true
}

// list returns the items of a sequence; a null n is an empty list.
func (p *parser) list(n *yaml.Node, field string) []*yaml.Node {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if n.Kind == yaml.ScalarNode {
			hint = fmt.Sprintf("write [%s]", n.Value)
		}
		p.report(n, field, hint, "want a list, got %s", describe(n))
		return nil
	}
	return n.Content
}

// oneOf returns a string scalar that must be one of allowed.
func (p *parser) oneOf(n *yaml.Node, field string, allowed ...string) (string, bool) {
	s, ok := p.str(n, field)
	if !ok {
		return "", false
	}
	if !slices.Contains(allowed, s) {
		p.report(n, field, "use "+orList(allowed), "unknown value %q", s)
		return "", false
	}
	return s, true
}

// index returns the field name of a list item: "code.include[2]".
func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// isNull reports whether n is absent or an empty value ("key:" with nothing after it).
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's value for an error message.
func describe(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "…"
	}
	return fmt.Sprintf("%q", v)
}

// orList writes ["a", "b", "c"] as `"a", "b" or "c"`.
func orList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
