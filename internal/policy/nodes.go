package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// reader walks the YAML nodes of one policy file, turning every mistake
// into an *Error naming the file and line.
type reader struct{ file string }

func (r *reader) errorf(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: r.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// fields checks that n is a mapping whose keys are all among known and
// returns the value nodes by key.
func (r *reader) fields(n *yaml.Node, where string, known ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, r.errorf(n, "%s must be a mapping of %s", where, strings.Join(known, ", "))
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !contains(known, k.Value) {
			return nil, r.errorf(k, "unknown key %q in %s (known keys: %s)", k.Value, where, strings.Join(known, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, r.errorf(k, "key %q appears twice in %s", k.Value, where)
		}
		out[k.Value] = v
	}
	return out, nil
}

// entries returns a mapping's keys and values in file order.
func (r *reader) entries(n *yaml.Node, where string) ([]*yaml.Node, []*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, nil, r.errorf(n, "%s must be a mapping", where)
	}
	var keys, vals []*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if seen[n.Content[i].Value] {
			return nil, nil, r.errorf(n.Content[i], "key %q appears twice in %s", n.Content[i].Value, where)
		}
		seen[n.Content[i].Value] = true
		keys, vals = append(keys, n.Content[i]), append(vals, n.Content[i+1])
	}
	return keys, vals, nil
}

func (r *reader) str(n *yaml.Node, where string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", r.errorf(n, "%s must be a string", where)
	}
	return n.Value, nil
}

// oneOf reads a scalar that must be one of allowed.
func (r *reader) oneOf(n *yaml.Node, where string, allowed ...string) (string, error) {
	s, err := r.str(n, where)
	if err == nil && !contains(allowed, s) {
		err = r.errorf(n, "%s is %q; write one of %s", where, s, strings.Join(allowed, ", "))
	}
	return s, err
}

func (r *reader) boolean(n *yaml.Node, where string) (bool, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, r.errorf(n, "%s must be true or false", where)
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", nil
}

func (r *reader) integer(n *yaml.Node, where string, lo int) (int, error) {
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || v < lo {
		return 0, r.errorf(n, "%s must be a whole number of at least %d", where, lo)
	}
	return v, nil
}

// strings reads a list of strings; a single string is a list of one.
func (r *reader) strings(n *yaml.Node, where string) ([]string, []*yaml.Node, error) {
	if n.Kind == yaml.ScalarNode {
		s, err := r.str(n, where)
		return []string{s}, []*yaml.Node{n}, err
	}
	if n.Kind != yaml.SequenceNode {
		return nil, nil, r.errorf(n, "%s must be a list of strings", where)
	}
	var out []string
	for _, c := range n.Content {
		s, err := r.str(c, where+" entry")
		if err != nil {
			return nil, nil, err
		}
		out = append(out, s)
	}
	return out, n.Content, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
