package flow

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"lockstep.dev/lockstep/internal/core"
)

// DefaultMaxItems bounds the items of a foreach step when it does not set
// max-items; MaxItemsLimit bounds max-items itself.
const (
	DefaultMaxItems = 1000
	MaxItemsLimit   = 100000
)

// Foreach makes a step run once per item: the cartesian product of its
// keys' values, the first key varying slowest.
type Foreach struct {
	// Keys are the item's keys in the order the flow file writes them.
	Keys []ForeachKey
	// FailFast stops starting items once one has failed; by default every
	// item runs and a failed one fails the step after the others finish.
	FailFast bool
	// MaxParallel caps how many items run at once; 0 leaves it to -j.
	MaxParallel int
	// MaxItems bounds the number of items (DefaultMaxItems when unset).
	MaxItems int
}

// ForeachKey is one key of a foreach: a list of scalar values, or the
// entries of a directory output of another step (known once it has run).
type ForeachKey struct {
	// Name is the key; the step sees the item's value in
	// $LOCKSTEP_ITEM_<NAME>.
	Name string
	// Values are the scalars (string, int64, float64 or bool) of a listed
	// key; nil for a key over a step's output.
	Values []any
	// From, for a key over a directory output, is that output (Kind
	// InputStep): each top-level entry is a value, its name in
	// $LOCKSTEP_ITEM_<NAME>, its path in $LOCKSTEP_INPUT_<NAME>.
	From *Input
	// Line is where the key is written.
	Line int
}

// Item is one item of a foreach step: a value for every key, in key order.
type Item struct {
	Keys   []string
	Values []any
}

// Map returns the item as key → value.
func (it Item) Map() map[string]any {
	m := make(map[string]any, len(it.Keys))
	for i, k := range it.Keys {
		m[k] = it.Values[i]
	}
	return m
}

// Name is the item's address, "lr=0.0003,seed=2": each key=value in key
// order, with ',', '=', '[', ']', '/' and '%' in values percent-encoded so
// that the name is one path element and reads back unambiguously.
func (it Item) Name() string {
	var b strings.Builder
	for i, k := range it.Keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(escapeItemValue(core.ValueString(it.Values[i])))
	}
	return b.String()
}

// TaskName is the name of the item's task in step: "train[lr=0.0003,seed=2]".
func (it Item) TaskName(step string) string { return step + "[" + it.Name() + "]" }

func escapeItemValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte(",=[]/%", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Items expands the foreach into its items. entries gives, for every key
// over a step's output, the names of that output's top-level entries
// (sorted); it may be nil when no key is. An expansion with no items, or
// with more than MaxItems, is an error naming the key and the fix.
func (s *Step) Items(entries map[string][]string) ([]Item, error) {
	fe := s.Foreach
	if fe == nil {
		return nil, fmt.Errorf("step %s has no foreach", s.Name)
	}
	values := make([][]any, len(fe.Keys))
	total := 1
	for i, k := range fe.Keys {
		values[i] = k.Values
		if k.From != nil {
			names, ok := entries[k.Name]
			if !ok {
				return nil, fmt.Errorf("foreach.%s: the entries of %s are not known yet", k.Name, k.From.Ref())
			}
			values[i] = make([]any, len(names))
			for j, n := range names {
				values[i][j] = n
			}
		}
		if len(values[i]) == 0 {
			what := "the list"
			if k.From != nil {
				what = k.From.Ref()
			}
			return nil, fmt.Errorf("foreach.%s: %s is empty, so the step has no items (write at least one entry into it)", k.Name, what)
		}
		total *= len(values[i])
		if total > fe.maxItems() {
			return nil, fmt.Errorf("foreach gives more than %d items (raise max-items up to %d, or split the sweep)", fe.maxItems(), MaxItemsLimit)
		}
	}
	keys := make([]string, len(fe.Keys))
	for i, k := range fe.Keys {
		keys[i] = k.Name
	}
	items := make([]Item, 0, total)
	idx := make([]int, len(values))
	for {
		it := Item{Keys: keys, Values: make([]any, len(values))}
		for i, j := range idx {
			it.Values[i] = values[i][j]
		}
		items = append(items, it)
		i := len(idx) - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < len(values[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return items, nil
		}
	}
}

func (fe *Foreach) maxItems() int {
	if fe.MaxItems > 0 {
		return fe.MaxItems
	}
	return DefaultMaxItems
}

// foreach decodes a step's foreach mapping and its fail-fast, max-parallel
// and max-items settings. It runs in the second pass: a key may name
// another step's directory output.
func (p *parser) foreach(f *Flow, r rawStep) {
	fe, ok := r.fields["foreach"]
	if !ok {
		for _, k := range []string{"fail-fast", "max-parallel", "max-items"} {
			if e, set := r.fields[k]; set {
				p.report(e.key, r.field+"."+k, "add foreach: to fan the step out, or remove "+k, "%s applies only to a foreach step", k)
			}
		}
		return
	}
	field := r.field + ".foreach"
	out := &Foreach{}
	for _, e := range p.varNames(p.entries(fe.val, field), field, "LOCKSTEP_ITEM_") {
		k := ForeachKey{Name: e.name, Line: e.key.Line}
		kf := field + "." + e.name
		switch {
		case e.val.Kind == yaml.SequenceNode:
			k.Values = p.itemValues(e.val, kf)
			if k.Values == nil {
				continue
			}
		case e.val.Kind == yaml.ScalarNode && !isNull(e.val):
			from, ok := p.itemSource(f, r.step, e.val, kf)
			if !ok {
				continue
			}
			k.From = from
		default:
			p.report(e.val, kf, "write a list of values, [a, b], or STEP.OUTPUT of a directory output", "want a list or a step's output, got %s", describe(e.val))
			continue
		}
		out.Keys = append(out.Keys, k)
	}
	if len(out.Keys) == 0 && !p.full() && (isNull(fe.val) || fe.val.Kind == yaml.MappingNode && len(fe.val.Content) == 0) {
		p.report(fe.val, field, "give a key and its values, e.g. foreach: {lr: [0.1, 0.01]}", "foreach has no keys")
	}
	if e, set := r.fields["fail-fast"]; set {
		out.FailFast, _ = p.boolean(e.val, r.field+".fail-fast")
	}
	out.MaxParallel = p.positive(r.fields, "max-parallel", r.field, 1<<20)
	out.MaxItems = p.positive(r.fields, "max-items", r.field, MaxItemsLimit)
	total := 1
	for _, k := range out.Keys {
		if k.From == nil {
			total *= len(k.Values)
		}
	}
	if total > out.maxItems() && total > 0 {
		p.report(fe.key, field, fmt.Sprintf("raise max-items (up to %d) or split the sweep", MaxItemsLimit), "the grid has %d items, more than %d", total, out.maxItems())
	}
	for _, k := range out.Keys {
		for _, in := range r.step.Inputs {
			if strings.EqualFold(in.Name, k.Name) && k.From != nil {
				p.report(&yaml.Node{Line: k.Line}, field+"."+k.Name, "rename the key or the input", "%q is also an input of this step: both would be $LOCKSTEP_INPUT_%s", k.Name, strings.ToUpper(k.Name))
			}
		}
	}
	r.step.Foreach = out
}

// itemValues decodes a non-empty list of scalars.
func (p *parser) itemValues(n *yaml.Node, field string) []any {
	if len(n.Content) == 0 {
		p.report(n, field, "list at least one value", "the list is empty, so the step would have no items")
		return nil
	}
	out := make([]any, 0, len(n.Content))
	ok := true
	for i, item := range n.Content {
		v, msg := scalarValue(item)
		if msg != "" {
			p.report(item, index(field, i), "item values are scalars: string, integer, float or bool", "%s", msg)
			ok = false
			continue
		}
		out = append(out, v)
	}
	if !ok {
		return nil
	}
	return out
}

// itemSource resolves STEP.OUTPUT naming a directory output of another step.
func (p *parser) itemSource(f *Flow, s *Step, n *yaml.Node, field string) (*Input, bool) {
	name, output, dotted := strings.Cut(n.Value, ".")
	src, isStep := f.Steps[name]
	switch {
	case !dotted || !isStep:
		p.report(n, field, p.didYouMean(n.Value, p.refs), "want a list of values or STEP.OUTPUT, got %q", n.Value)
	case name == s.Name:
		p.report(n, field, "fan out over another step's output", "a step cannot fan out over its own output")
	case !hasOutput(src, output):
		p.report(n, field, outputHint(src, output), "step %q has no output %q", name, output)
	default:
		for _, o := range src.Outputs {
			if o.Name == output && !o.IsDir() {
				p.report(n, field, "declare the output as a directory (a trailing / on its path): each entry is an item", "%s is a file, not a directory", n.Value)
				return nil, false
			}
		}
		return &Input{Kind: InputStep, Step: name, Output: output, Line: n.Line}, true
	}
	return nil, false
}

// positive decodes an optional positive integer setting no larger than max.
func (p *parser) positive(m map[string]entry, key, field string, max int64) int {
	e, ok := m[key]
	if !ok {
		return 0
	}
	v, ok := p.integer(e.val, field+"."+key)
	if !ok {
		return 0
	}
	if v < 1 || v > max {
		p.report(e.val, field+"."+key, fmt.Sprintf("write an integer from 1 to %d", max), "%d is out of range", v)
		return 0
	}
	return int(v)
}
