package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// Explanation says why a step's task ran, or did not, in one run: which
// parts of its cache key differ from the same step's task in the latest
// earlier run of the flow, like Bazel's --explain.
type Explanation struct {
	Run    string `json:"run"`
	Step   string `json:"step"`
	Status string `json:"status"`
	// Reason is why a step that did not run was skipped.
	Reason string `json:"reason,omitempty"`
	// Previous is the earlier run compared with; "" when the step never
	// ran before in this flow.
	Previous string `json:"previous,omitempty"`
	// Changes are the parts of the key that differ, sorted by field:
	// "code FILE", "input NAME", "param NAME", "seed", "command",
	// "environment: ..." and the other key fields by name.
	Changes []capture.Change `json:"changes"`
}

// Summary is the explanation in one line: "code train.py changed; param lr
// 0.1 -> 0.05", shortened after a few changes.
func (e *Explanation) Summary() string {
	switch {
	case e.Status == core.StatusSkipped:
		return "did not run: " + e.Reason
	case e.Previous == "":
		return "first run of this step in the flow"
	case len(e.Changes) == 0 && e.Status == core.StatusCached:
		return "nothing in its key changed since run " + e.Previous + ": outputs reused"
	case len(e.Changes) == 0:
		return "nothing in its key changed since run " + e.Previous + " (forced, --no-cache, or that task failed)"
	}
	const most = 4
	parts := make([]string, 0, most+1)
	for i, c := range e.Changes {
		if i == most {
			parts = append(parts, fmt.Sprintf("and %d more (lockstep why %s %s)", len(e.Changes)-most, e.Run, e.Step))
			break
		}
		parts = append(parts, c.String())
	}
	return strings.Join(parts, "; ")
}

// maxEarlierRuns bounds how far back Why looks for an earlier task of a step.
const maxEarlierRuns = 200

// Why explains each of steps (every step of the run when empty) in run:
// how its key differs from the same step's in the latest earlier run of
// the same flow that ran it.
func (h *Home) Why(ctx context.Context, run string, steps []string) ([]Explanation, error) {
	tasks, err := h.Catalog.Tasks(ctx, run)
	if err != nil {
		return nil, err
	}
	byStep := map[string]catalog.TaskRow{}
	for _, t := range tasks {
		byStep[t.Step] = t
	}
	if len(steps) == 0 {
		for s := range byStep {
			steps = append(steps, s)
		}
		sort.Strings(steps)
	}
	for _, s := range steps {
		if _, ok := byStep[s]; !ok {
			return nil, &InputError{fmt.Errorf("run %s has no step %q", run, s)}
		}
	}
	earlier, err := h.earlierTasks(ctx, run, steps)
	if err != nil {
		return nil, err
	}
	out := make([]Explanation, 0, len(steps))
	for _, s := range steps {
		e, err := h.explain(byStep[s], earlier[s])
		if err != nil {
			return nil, fmt.Errorf("explain step %s: %w", s, err)
		}
		out = append(out, *e)
	}
	return out, nil
}

// earlierTasks finds, for each step, its task with a key in the latest run
// of the same flow that started before run.
func (h *Home) earlierTasks(ctx context.Context, run string, steps []string) (map[string]catalog.TaskRow, error) {
	rows, err := h.Catalog.Runs(ctx, 0)
	if err != nil {
		return nil, err
	}
	found := map[string]catalog.TaskRow{}
	flowName, seen, looked := "", false, 0
	for _, r := range rows {
		if r.ID == run {
			flowName, seen = r.Flow, true
			continue
		}
		if !seen || r.Flow != flowName {
			continue
		}
		if looked++; looked > maxEarlierRuns || len(found) == len(steps) {
			break
		}
		tasks, err := h.Catalog.Tasks(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range tasks {
			if _, done := found[t.Step]; !done && t.CacheKey != "" && slices.Contains(steps, t.Step) {
				found[t.Step] = t
			}
		}
	}
	return found, nil
}

func (h *Home) explain(now, before catalog.TaskRow) (*Explanation, error) {
	e := &Explanation{Run: now.Run, Step: now.Step, Status: now.Status, Changes: []capture.Change{}}
	if now.CacheKey == "" {
		var rec core.TaskRecord
		if err := h.Store.GetJSON(now.Record, &rec); err != nil {
			return nil, err
		}
		e.Reason = rec.Error
		if e.Status != core.StatusSkipped {
			e.Reason = "it failed before its key was known: " + rec.Error
			e.Status = core.StatusSkipped
		}
		return e, nil
	}
	if before.CacheKey == "" {
		return e, nil
	}
	e.Previous = before.Run
	if before.CacheKey == now.CacheKey {
		return e, nil
	}
	a, err := h.keyFields(before.CacheKey)
	if err != nil {
		return nil, err
	}
	b, err := h.keyFields(now.CacheKey)
	if err != nil {
		return nil, err
	}
	fields := map[string]bool{}
	for k := range a {
		fields[k] = true
	}
	for k := range b {
		fields[k] = true
	}
	for k := range fields {
		if k == "type" || bytes.Equal(a[k], b[k]) {
			continue
		}
		changes, err := h.keyChanges(k, a[k], b[k], before, now)
		if err != nil {
			return nil, err
		}
		e.Changes = append(e.Changes, changes...)
	}
	sort.Slice(e.Changes, func(i, j int) bool { return e.Changes[i].Field < e.Changes[j].Field })
	return e, nil
}

// keyFields reads a cache key document as its fields. A final key names
// the plan key and the executor's environment: its fields are the plan
// key's and "environment", so a key made before keys had two phases (one
// flat document) compares field by field with one made after.
func (h *Home) keyFields(key core.Digest) (map[string]json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := h.Store.GetJSON(key, &doc); err != nil {
		return nil, err
	}
	raw, ok := doc["plan"]
	if !ok {
		return doc, nil
	}
	var plan map[string]json.RawMessage
	if err := h.Store.GetJSON(digestOf(raw), &plan); err != nil {
		return nil, fmt.Errorf("read plan key of %s: %w", key.Short(), err)
	}
	delete(doc, "plan")
	for k, v := range plan {
		if k != "type" {
			doc[k] = v
		}
	}
	return doc, nil
}

// keyChanges says how one field of two cache key documents differs.
func (h *Home) keyChanges(field string, from, to json.RawMessage, before, now catalog.TaskRow) ([]capture.Change, error) {
	switch field {
	case "code":
		return h.codeChanges(digestOf(from), digestOf(to))
	case "inputs":
		return mapChanges("input ", from, to), nil
	case "params":
		return mapChanges("param ", from, to), nil
	case "environment":
		changes, err := h.envChanges(before.Record, now.Record)
		if err != nil || len(changes) > 0 {
			return changes, err
		}
	}
	return []capture.Change{{Field: field, From: short(from), To: short(to)}}, nil
}

func digestOf(raw json.RawMessage) core.Digest {
	var d core.Digest
	_ = json.Unmarshal(raw, &d)
	return d
}

// codeChanges names the files that differ between two code trees.
func (h *Home) codeChanges(from, to core.Digest) ([]capture.Change, error) {
	a, err := h.Store.GetTree(from)
	if err != nil {
		return nil, err
	}
	b, err := h.Store.GetTree(to)
	if err != nil {
		return nil, err
	}
	files := func(t *core.Tree) map[string]string {
		m := make(map[string]string, len(t.Entries))
		for _, e := range t.Entries {
			switch e.Kind {
			case core.KindFile:
				m[e.Path] = fmt.Sprintf("%s (mode %o)", e.Digest.Short(), e.Mode)
			default:
				m[e.Path] = e.Kind + " " + e.Target
			}
		}
		return m
	}
	fa, fb := files(a), files(b)
	var out []capture.Change
	for p, v := range fa {
		switch w, ok := fb[p]; {
		case !ok:
			out = append(out, capture.Change{Field: "code " + p, From: v})
		case w != v:
			out = append(out, capture.Change{Field: "code " + p, From: v, To: w})
		}
	}
	for p, w := range fb {
		if _, ok := fa[p]; !ok {
			out = append(out, capture.Change{Field: "code " + p, To: w})
		}
	}
	return out, nil
}

// mapChanges compares two JSON objects key by key.
func mapChanges(prefix string, from, to json.RawMessage) []capture.Change {
	var a, b map[string]json.RawMessage
	_ = json.Unmarshal(from, &a)
	_ = json.Unmarshal(to, &b)
	var out []capture.Change
	for k, v := range a {
		if w, ok := b[k]; !ok {
			out = append(out, capture.Change{Field: prefix + k, From: short(v)})
		} else if !bytes.Equal(v, w) {
			out = append(out, capture.Change{Field: prefix + k, From: short(v), To: short(w)})
		}
	}
	for k, w := range b {
		if _, ok := a[k]; !ok {
			out = append(out, capture.Change{Field: prefix + k, To: short(w)})
		}
	}
	return out
}

// envChanges lists what differs between the environments the two tasks
// recorded; none when their records show no difference (the key's digest
// then tells the change).
func (h *Home) envChanges(before, now core.Digest) ([]capture.Change, error) {
	env := func(rec core.Digest) (*capture.Environment, error) {
		var t core.TaskRecord
		if err := h.Store.GetJSON(rec, &t); err != nil {
			return nil, err
		}
		var e capture.Environment
		if t.Environment == "" {
			return &e, nil
		}
		return &e, h.Store.GetJSON(t.Environment, &e)
	}
	a, err := env(before)
	if err != nil {
		return nil, err
	}
	b, err := env(now)
	if err != nil {
		return nil, err
	}
	diff := capture.Diff(a, b)
	for i := range diff {
		diff[i].Field = "environment: " + diff[i].Field
	}
	return diff, nil
}

// short renders a JSON value for a one-line change, cut to 60 bytes.
func short(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		if d, err := core.ParseDigest(s); err == nil {
			return d.Short()
		}
	} else {
		s = string(v)
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}
