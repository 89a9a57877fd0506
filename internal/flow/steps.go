package flow

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// stepKeys are the keys a step may have.
var stepKeys = []string{"run", "inputs", "outputs", "params", "env", "secrets", "resources", "needs", "network", "sandbox", "compare", "code", "foreach", "fail-fast", "max-parallel", "max-items"}

// rawStep keeps a decoded step with its keys, for the second pass that
// resolves references between steps.
type rawStep struct {
	step   *Step
	field  string
	fields map[string]entry
}

// steps decodes the "steps" mapping in two passes: first every step's own
// settings and outputs, then inputs and needs, which refer to other steps.
func (p *parser) steps(f *Flow, n *yaml.Node) {
	var raw []rawStep
	entries := p.entries(n, "steps")
	if isNull(n) || n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		p.report(n, "steps", "add a step with a run: command, see lockstep init", "the flow has no steps")
	}
	for _, e := range entries {
		if !validName(stepNameRE, e.name) {
			p.report(e.key, "steps", stepNameHint, "invalid step name %q", e.name)
			continue
		}
		field := "steps." + e.name
		if e.val.Kind == yaml.ScalarNode && !isNull(e.val) {
			p.report(e.val, field, "put the command under run:", "want a mapping of step settings, got %s", describe(e.val))
			continue
		}
		s := &Step{Name: e.name, Line: e.key.Line}
		m := p.fields(e.val, field, stepKeys...)
		p.stepSettings(f, s, e, m, field)
		f.Steps[s.Name] = s
		raw = append(raw, rawStep{step: s, field: field, fields: m})
	}
	p.names, p.refs = f.stepNames(), stepOutputs(f)
	for _, r := range raw {
		r.step.Inputs = p.inputs(f, r.fields["inputs"].val, r.field+".inputs")
		r.step.Needs = p.needs(f, r.fields["needs"].val, r.field+".needs")
		p.foreach(f, r)
		p.inputsAreNotOutputs(r)
	}
}

// stepSettings decodes the keys of a step that do not refer to other steps.
func (p *parser) stepSettings(f *Flow, s *Step, e entry, m map[string]entry, field string) {
	if run, ok := m["run"]; !ok {
		p.report(e.key, field+".run", "add run: COMMAND, the shell command of the step", "required key is missing")
	} else if cmd, ok := p.str(run.val, field+".run"); ok {
		if strings.TrimSpace(cmd) == "" {
			p.report(run.val, field+".run", "write the shell command the step runs", "the command is empty")
		}
		s.Run = cmd
	}
	s.Outputs = p.outputs(m["outputs"].val, field+".outputs")
	s.Params = p.params(m["params"].val, field+".params")
	p.paramsMatchFlow(f, s, m["params"].val, field+".params")
	s.Env = p.envNames(m["env"].val, field+".env")
	s.Secrets = p.secrets(f, m["env"].val, m["secrets"].val, field)
	if r, ok := m["resources"]; ok {
		s.Resources = p.resources(r.val, field+".resources")
	}
	if net, ok := m["network"]; ok {
		s.Network, _ = p.boolean(net.val, field+".network")
	}
	if sb, ok := m["sandbox"]; ok {
		s.Sandbox, _ = p.oneOf(sb.val, field+".sandbox", SandboxRequired, SandboxNone)
	}
	s.Compare = p.compare(m["compare"].val, field+".compare")
	code := p.fields(m["code"].val, field+".code", "include", "exclude")
	s.Code.Include = p.patterns(code["include"].val, field+".code.include")
	s.Code.Exclude = p.patterns(code["exclude"].val, field+".code.exclude")
}

// needs decodes a step's "needs" list: names of steps, sorted.
func (p *parser) needs(f *Flow, n *yaml.Node, field string) []string {
	seen := make(map[string]bool)
	var out []string
	for i, item := range p.list(n, field) {
		name, ok := p.str(item, index(field, i))
		switch {
		case !ok:
		case f.Steps[name] == nil:
			p.report(item, index(field, i), p.didYouMean(name, p.names), "unknown step %q", name)
		case seen[name]:
			p.report(item, index(field, i), "remove one of them", "step %q is listed twice", name)
		default:
			seen[name] = true
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// inputsAreNotOutputs reports an input named like an output of the same step.
func (p *parser) inputsAreNotOutputs(r rawStep) {
	for _, in := range r.step.Inputs {
		if hasOutput(r.step, in.Name) {
			p.report(&yaml.Node{Line: in.Line}, r.field+".inputs."+in.Name, "rename the input or the output",
				"%q is also an output of this step", in.Name)
		}
	}
}

// paramsMatchFlow reports a step parameter that differs from a flow
// parameter only in case: both would be the same LOCKSTEP_PARAM_ variable.
func (p *parser) paramsMatchFlow(f *Flow, s *Step, n *yaml.Node, field string) {
	for _, e := range p.quiet(n) {
		if _, ok := s.Params[e.name]; !ok {
			continue
		}
		for name := range f.Params {
			if name != e.name && strings.EqualFold(name, e.name) {
				p.report(e.key, field+"."+e.name, fmt.Sprintf("use the flow's spelling %q", name),
					"parameter differs from the flow's %q only in case", name)
			}
		}
	}
}
