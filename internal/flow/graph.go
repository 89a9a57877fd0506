package flow

import (
	"container/heap"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Deps returns the steps that step depends on directly, through inputs
// that name their outputs and through needs, sorted. An unknown step has none.
func (f *Flow) Deps(step string) []string {
	s, ok := f.Steps[step]
	if !ok {
		return nil
	}
	deps := slices.Clone(s.Needs)
	for _, in := range s.Inputs {
		if in.Kind == InputStep {
			deps = append(deps, in.Step)
		}
	}
	if s.Foreach != nil {
		for _, k := range s.Foreach.Keys {
			if k.From != nil {
				deps = append(deps, k.From.Step)
			}
		}
	}
	slices.Sort(deps)
	return slices.Compact(deps)
}

// Order returns every step so that each comes after its dependencies; among
// steps that are ready at the same time the smaller name comes first, so
// the order is the same on every machine.
func (f *Flow) Order() []string {
	waiting := make(map[string]int, len(f.Steps)) // step -> dependencies not yet placed
	users := make(map[string][]string)            // step -> steps depending on it
	for _, name := range f.stepNames() {
		deps := f.Deps(name)
		waiting[name] = len(deps)
		for _, d := range deps {
			users[d] = append(users[d], name)
		}
	}
	ready := &nameHeap{}
	for _, name := range f.stepNames() {
		if waiting[name] == 0 {
			heap.Push(ready, name)
		}
	}
	order := make([]string, 0, len(f.Steps))
	for ready.Len() > 0 {
		next := heap.Pop(ready).(string)
		order = append(order, next)
		for _, u := range users[next] {
			if waiting[u]--; waiting[u] == 0 {
				heap.Push(ready, u)
			}
		}
	}
	return order
}

// nameHeap holds the steps ready to be placed, smallest name first.
type nameHeap []string

func (h nameHeap) Len() int           { return len(h) }
func (h nameHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h nameHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nameHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *nameHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Select returns the named steps and every step they depend on, directly or
// not, in Order. No names select every step. An unknown name is an error
// wrapping ErrUnknownStep, with the nearest step name as a suggestion.
func (f *Flow) Select(steps []string) ([]string, error) {
	if len(steps) == 0 {
		return f.Order(), nil
	}
	chosen := make(map[string]bool)
	var visit func(string)
	visit = func(name string) {
		if chosen[name] {
			return
		}
		chosen[name] = true
		for _, d := range f.Deps(name) {
			visit(d)
		}
	}
	for _, name := range steps {
		if _, ok := f.Steps[name]; !ok {
			hint := didYouMean(name, f.stepNames())
			if hint == "" {
				hint = "steps are: " + strings.Join(f.stepNames(), ", ")
			}
			return nil, fmt.Errorf("%s: %w %q (%s)", f.File, ErrUnknownStep, name, hint)
		}
		visit(name)
	}
	var out []string
	for _, name := range f.Order() {
		if chosen[name] {
			out = append(out, name)
		}
	}
	return out, nil
}

// stepNames returns the names of all steps, sorted.
func (f *Flow) stepNames() []string {
	return slices.Sorted(maps.Keys(f.Steps))
}

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
	if p.full() {
		p.dropped++
		return
	}
	flow := slices.Clone(dependsPath)
	slices.Reverse(flow)
	first := slices.Index(flow, slices.Min(flow))
	flow = append(flow[first:], flow[:first]...)
	s := f.Steps[flow[0]]
	p.report(&yaml.Node{Line: s.Line}, "steps."+s.Name, "a step cannot read, directly or not, what it writes itself",
		"dependency cycle %s -> %s", strings.Join(flow, " -> "), flow[0])
}
