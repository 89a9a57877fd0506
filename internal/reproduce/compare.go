package reproduce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// CompareOptions tune Compare.
type CompareOptions struct {
	// Tolerance is the default for numbers in metrics and JSON outputs;
	// a step's `compare:` entries in the flow override it per output.
	Tolerance Tolerance
	// Steps limits the comparison to these steps; nil compares every step
	// of either run.
	Steps []string
}

// Compare explains how run b differs from run a, task by task in DAG order.
// It compares the tasks' records and reads the outputs, trees and
// environments it needs from st. Tolerances come from b's flow file.
func Compare(st *store.Store, a, b *Run, opts CompareOptions) *Report {
	rep := &Report{
		Original: a.Record.ID, Rerun: b.Record.ID, OriginalRecord: a.Digest, RerunRecord: b.Digest,
		Verdict: Reproduced, Tolerance: opts.Tolerance, Tasks: []TaskResult{},
	}
	fl := b.Flow(st)
	if fl == nil {
		fl = a.Flow(st)
	}
	results := map[string]Verdict{}
	for _, step := range order(a, b) {
		if opts.Steps != nil && !slices.Contains(opts.Steps, step) {
			continue
		}
		c := &comparer{st: st, fl: fl, tol: opts.Tolerance, step: step}
		res := c.task(a.Tasks[step], b.Tasks[step])
		res.Original, res.Rerun = a.Record.Tasks[step], b.Record.Tasks[step]
		res.ConsequenceOf = consequences(b.Tasks[step], a.Tasks[step], results)
		rep.Tasks = append(rep.Tasks, res)
		results[step] = res.Verdict
		rep.Verdict = worse(rep.Verdict, res.Verdict)
		if res.Verdict == Differs && res.InputsMatch && rep.FirstDifference == "" {
			rep.FirstDifference = step
		}
	}
	return rep
}

// task compares one step's two tasks; a nil record means that run lacks it.
func (c *comparer) task(a, b *core.TaskRecord) TaskResult {
	res := TaskResult{Step: c.step, Verdict: Reproduced, Outputs: []OutputDiff{}}
	switch {
	case a == nil:
		res.Verdict, res.Problem = Differs, "only the second run has this step"
		return res
	case b == nil:
		res.Verdict, res.Problem = Differs, "only the first run has this step"
		return res
	}
	res.InputsMatch = true
	for _, name := range unionKeys(a.Inputs, b.Inputs) {
		x, y := a.Inputs[name], b.Inputs[name]
		if x.Digest != y.Digest {
			res.InputsMatch = false
			res.Inputs = append(res.Inputs, Change{Name: name, From: string(x.Digest), To: string(y.Digest)})
		}
	}
	if a.Command != b.Command {
		res.Command = &Change{From: a.Command, To: b.Command}
	}
	if a.Seed != b.Seed {
		res.Seed = &Change{From: strconv.FormatInt(a.Seed, 10), To: strconv.FormatInt(b.Seed, 10)}
	}
	for _, name := range unionKeys(a.Outputs, b.Outputs) {
		d := c.output(name, artifact(a.Outputs, name), artifact(b.Outputs, name))
		res.Outputs = append(res.Outputs, d)
		res.Verdict = worse(res.Verdict, d.Verdict)
	}
	res.Metrics, res.Verdict = c.metrics(a.Metrics, b.Metrics, res.Verdict)
	if problem := statusProblem(a, b); problem != "" {
		res.Problem, res.Verdict = problem, Differs
	}
	if res.Verdict != Reproduced || a.Environment != b.Environment {
		res.Environment = c.environments(a.Environment, b.Environment)
	}
	return res
}

// metrics compares the tasks' $LOCKSTEP_METRICS documents.
func (c *comparer) metrics(a, b json.RawMessage, v Verdict) ([]ValueChange, Verdict) {
	if bytes.Equal(a, b) {
		return nil, v
	}
	parse := func(raw json.RawMessage) any {
		if len(raw) == 0 {
			return map[string]any{}
		}
		x, err := decodeJSON(bytes.NewReader(raw))
		if err != nil {
			return string(raw)
		}
		return x
	}
	changes := diffJSON(parse(a), parse(b), c.tolerance("metrics"))
	return changes, worse(v, verdictOf(changes))
}

// environments loads two environment records and diffs them.
func (c *comparer) environments(a, b core.Digest) []capture.Change {
	if a == b {
		return nil
	}
	load := func(d core.Digest) *capture.Environment {
		if d == "" {
			return nil
		}
		env := new(capture.Environment)
		if err := c.st.GetJSON(d, env); err != nil {
			return nil
		}
		return env
	}
	return capture.Diff(load(a), load(b))
}

// statusProblem says why a task pair cannot count as reproduced.
func statusProblem(a, b *core.TaskRecord) string {
	ok := func(t *core.TaskRecord) bool {
		return t.Status == core.StatusSucceeded || t.Status == core.StatusCached
	}
	switch {
	case !ok(b) && ok(a):
		return fmt.Sprintf("the second task %s: %s", b.Status, b.Error)
	case !ok(a) && ok(b):
		return fmt.Sprintf("the first task %s: %s", a.Status, a.Error)
	case !ok(a) && !ok(b):
		return fmt.Sprintf("both tasks %s", b.Status)
	}
	return ""
}

// consequences names the earlier steps with differences whose outputs this
// task read under a different digest.
func consequences(b, a *core.TaskRecord, done map[string]Verdict) []string {
	if a == nil || b == nil {
		return nil
	}
	var out []string
	for _, name := range sortedKeys(b.Inputs) {
		in := b.Inputs[name]
		dep, ok := stepOf(in.Source)
		if !ok || a.Inputs[name].Digest == in.Digest {
			continue
		}
		if v, ok := done[dep]; ok && v != Reproduced && !slices.Contains(out, dep) {
			out = append(out, dep)
		}
	}
	return out
}

func artifact(m map[string]core.Artifact, name string) *core.Artifact {
	if a, ok := m[name]; ok {
		return &a
	}
	return nil
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]V{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}
