package reproduce

import (
	"fmt"
	"reflect"
	"strconv"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Diff explains how run b differs from run a: what the user changed (code
// files, the flow file, params, seed) and, task by task, inputs, outputs,
// metrics and environments.
func Diff(st *store.Store, a, b *Run, tol Tolerance) *Report {
	rep := Compare(st, a, b, CompareOptions{Tolerance: tol})
	ra, rb := a.Record, b.Record
	if ra.Code != rb.Code {
		rep.Code = codeChanges(st, ra.Code, rb.Code)
	}
	if ra.FlowFile != rb.FlowFile || ra.FlowPath != rb.FlowPath {
		rep.FlowFile = &Change{Name: rb.FlowPath, From: string(ra.FlowFile), To: string(rb.FlowFile)}
	}
	if ra.Seed != rb.Seed {
		rep.Seed = &Change{From: strconv.FormatInt(ra.Seed, 10), To: strconv.FormatInt(rb.Seed, 10)}
	}
	rep.Params = paramChanges(ra.Params, rb.Params)
	return rep
}

// codeChanges lists the code files that differ between two code trees; a
// tree that cannot be read is reported as one change at the root.
func codeChanges(st *store.Store, a, b core.Digest) []FileChange {
	ta, errA := st.GetTree(a)
	tb, errB := st.GetTree(b)
	if errA != nil || errB != nil {
		return []FileChange{{Path: ".", Change: Changed, From: a, To: b, Details: []string{"trees not readable"}}}
	}
	return DiffTrees(ta, tb)
}

// paramChanges lists params added, removed or changed; numbers carry their
// delta.
func paramChanges(a, b map[string]any) []ValueChange {
	var out []ValueChange
	for _, k := range unionKeys(a, b) {
		x, inA := a[k]
		y, inB := b[k]
		switch {
		case !inA:
			out = append(out, ValueChange{Name: k, To: fmt.Sprint(y)})
		case !inB:
			out = append(out, ValueChange{Name: k, From: fmt.Sprint(x)})
		case !reflect.DeepEqual(x, y):
			c := ValueChange{Name: k, From: fmt.Sprint(x), To: fmt.Sprint(y)}
			if fx, ok := number(x); ok {
				if fy, ok := number(y); ok {
					d := fy - fx
					c.Delta = &d
				}
			}
			out = append(out, c)
		}
	}
	return out
}

// number reads a param value decoded from JSON as a float.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	return f, err == nil && fmt.Sprint(v) != ""
}
