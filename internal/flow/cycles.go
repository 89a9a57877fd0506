package flow

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// cycles reports every dependency cycle among the steps of f, naming the
// steps in the order data flows: "prepare -> train -> prepare".
func (p *parser) cycles(f *Flow) {
	const (
		unseen = iota
		open   // on the current path
		done
	)
	state := make(map[string]int, len(f.Steps))
	var path []string
	var visit func(string)
	visit = func(name string) {
		state[name] = open
		path = append(path, name)
		for _, d := range f.Deps(name) {
			switch state[d] {
			case open:
				p.reportCycle(f, path[slices.Index(path, d):])
			case unseen:
				visit(d)
			}
		}
		path = path[:len(path)-1]
		state[name] = done
	}
	for _, name := range f.stepNames() {
		if state[name] == unseen {
			visit(name)
		}
	}
}

// reportCycle reports a cycle given as a path where each step depends on
// the next and the last on the first.
func (p *parser) reportCycle(f *Flow, dependsPath []string) {
	flow := slices.Clone(dependsPath)
	slices.Reverse(flow)
	first := slices.Index(flow, slices.Min(flow))
	flow = append(flow[first:], flow[:first]...)
	s := f.Steps[flow[0]]
	p.report(&yaml.Node{Line: s.Line}, "steps."+s.Name, "a step cannot read, directly or not, what it writes itself",
		"dependency cycle %s -> %s", strings.Join(flow, " -> "), flow[0])
}
