package flow

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	flowNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	stepNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	varNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Hints for names, shared by the checks below.
const (
	flowNameHint = `use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit`
	stepNameHint = `use lowercase letters, digits, "_" and "-", starting with a letter or digit; no dots, they separate STEP.OUTPUT`
	varNameHint  = `use letters, digits and "_", not starting with a digit`
)

// maxNameLen bounds every name; longer ones are refused.
const maxNameLen = 128

// validName reports whether s matches re and is not too long.
func validName(re *regexp.Regexp, s string) bool {
	return len(s) <= maxNameLen && re.MatchString(s)
}

// varNames checks names that become environment variables PREFIX<NAME>
// upper-cased (prefix may be empty when they do not): each must be a valid
// variable name and no two may differ only in case. It returns the entries
// that passed.
func (p *parser) varNames(entries []entry, field, prefix string) []entry {
	upper := make(map[string]string)
	var out []entry
	for _, e := range entries {
		if !validName(varNameRE, e.name) {
			p.report(e.key, field, varNameHint, "invalid name %q", e.name)
			continue
		}
		u := strings.ToUpper(e.name)
		if other, dup := upper[u]; dup {
			hint := "rename one of them"
			if prefix != "" {
				hint = fmt.Sprintf("rename one: both would be %s%s", prefix, u)
			}
			p.report(e.key, field+"."+e.name, hint, "names %q and %q differ only in case", other, e.name)
			continue
		}
		upper[u] = e.name
		out = append(out, e)
	}
	return out
}

// envNames decodes a list of environment variable names a step may see,
// sorted and without repeats.
func (p *parser) envNames(n *yaml.Node, field string) []string {
	seen := make(map[string]bool)
	var out []string
	for i, item := range p.list(n, field) {
		f := index(field, i)
		name, ok := p.str(item, f)
		switch {
		case !ok:
		case !validName(varNameRE, name):
			p.report(item, f, varNameHint, "invalid variable name %q", name)
		case strings.HasPrefix(name, "LOCKSTEP_"):
			p.report(item, f, "lockstep sets its own LOCKSTEP_ variables; remove it", "variable %q cannot be passed in", name)
		case seen[name]:
			p.report(item, f, "remove one of them", "variable %q is listed twice", name)
		default:
			seen[name] = true
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// secrets decodes a step's "secrets" list and adds the flow's: names as
// for "env", none of them also under the step's "env" (a variable is
// recorded or it is not). envNode is the step's "env" list.
func (p *parser) secrets(f *Flow, envNode, n *yaml.Node, field string) []string {
	out := p.envNames(n, field+".secrets")
	for _, name := range f.Secrets {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	if envNode == nil || envNode.Kind != yaml.SequenceNode {
		return out
	}
	for i, item := range envNode.Content {
		if slices.Contains(out, item.Value) {
			p.report(item, index(field+".env", i), "remove it from env: a name under secrets (the step's or the flow's) is passed to the step without being recorded",
				"variable %q is under both env and secrets", item.Value)
		}
	}
	return out
}
