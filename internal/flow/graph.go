package flow

import (
	"fmt"
	"maps"
	"slices"
	"strings"
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
	var ready, order []string
	for _, name := range f.stepNames() {
		if waiting[name] == 0 {
			ready = append(ready, name)
		}
	}
	for len(ready) > 0 {
		next := ready[0]
		ready = ready[1:]
		order = append(order, next)
		for _, u := range users[next] {
			if waiting[u]--; waiting[u] == 0 {
				i, _ := slices.BinarySearch(ready, u)
				ready = slices.Insert(ready, i, u)
			}
		}
	}
	return order
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
