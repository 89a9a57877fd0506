package reproduce

import (
	"fmt"
	"strings"
)

// maxListed bounds the items of one list an explanation line shows.
const maxListed = 8

// Explain renders the report for people, one line per finding: the run's
// verdict, what changed at the run level, then each task with its outputs
// and, when something differs, the environment diff. For example
//
//	train: outputs differ; environment differs: numpy 1.24.2 -> 1.26.4, libc 2.36 -> 2.38
func (r *Report) Explain() []string {
	var out []string
	out = append(out, fmt.Sprintf("run %s vs %s: %s", r.Original, r.Rerun, r.Verdict))
	if len(r.Code) > 0 {
		out = append(out, fmt.Sprintf("code differs: %s", list(fileChangeWords(r.Code))))
	}
	if r.FlowFile != nil {
		out = append(out, fmt.Sprintf("flow file %s differs: %s -> %s", r.FlowFile.Name, short(r.FlowFile.From), short(r.FlowFile.To)))
	}
	if len(r.Params) > 0 {
		out = append(out, "params differ: "+list(valueWords(r.Params)))
	}
	if r.Seed != nil {
		out = append(out, fmt.Sprintf("seed differs: %s -> %s", r.Seed.From, r.Seed.To))
	}
	for _, t := range r.Tasks {
		out = append(out, t.explain(r.FirstDifference == t.Step)...)
	}
	if r.FirstDifference != "" {
		out = append(out, fmt.Sprintf("the difference starts at %s: its inputs matched but its outputs did not", r.FirstDifference))
	}
	return out
}

// explain renders one task: a summary line, then an indented line per
// differing output, file, metric and input.
func (t TaskResult) explain(first bool) []string {
	if t.Verdict == Reproduced {
		return []string{t.Step + ": reproduced"}
	}
	var what []string
	if t.Problem != "" {
		what = append(what, t.Problem)
	}
	if t.Verdict == WithinTolerance {
		what = append(what, "reproduced within tolerance")
	} else if differing(t.Outputs) > 0 || len(t.Metrics) > 0 {
		what = append(what, "outputs differ")
	}
	if len(t.ConsequenceOf) > 0 {
		what = append(what, "a consequence of "+strings.Join(t.ConsequenceOf, ", ")+" (its inputs differ)")
	} else if !t.InputsMatch && t.Problem == "" {
		what = append(what, "inputs differ")
	}
	if first {
		what = append(what, "first difference")
	}
	env := make([]string, 0, len(t.Environment)+1)
	for _, c := range t.Environment {
		env = append(env, c.String())
	}
	if t.Seed != nil {
		env = append(env, "seed "+t.Seed.From+" -> "+t.Seed.To)
	}
	if len(env) > 0 {
		what = append(what, "environment differs: "+list(env))
	} else if t.Verdict == Differs {
		what = append(what, "environment identical")
	}
	out := []string{t.Step + ": " + strings.Join(what, "; ")}
	if t.Command != nil {
		out = append(out, fmt.Sprintf("  command: %q -> %q", t.Command.From, t.Command.To))
	}
	for _, in := range t.Inputs {
		out = append(out, fmt.Sprintf("  input %s: %s -> %s", in.Name, short(in.From), short(in.To)))
	}
	for _, o := range t.Outputs {
		if o.Verdict == Reproduced {
			continue
		}
		out = append(out, fmt.Sprintf("  output %s: %s", o.Name, o.Verdict))
		for _, f := range o.Files {
			out = append(out, "    "+fileChangeWord(f))
			for _, d := range f.Details {
				out = append(out, "      "+d)
			}
		}
		for _, d := range o.Details {
			out = append(out, "    "+d)
		}
	}
	for _, m := range t.Metrics {
		out = append(out, "  metric "+m.String())
	}
	return out
}

func differing(outs []OutputDiff) int {
	n := 0
	for _, o := range outs {
		if o.Verdict != Reproduced {
			n++
		}
	}
	return n
}

func fileChangeWord(f FileChange) string {
	mark := map[string]string{Added: "+", Removed: "-", Changed: "~"}[f.Change]
	s := mark + " " + f.Path
	if f.Verdict == WithinTolerance {
		s += " (within tolerance)"
	}
	return s
}

func fileChangeWords(fs []FileChange) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fileChangeWord(f)
	}
	return out
}

func valueWords(cs []ValueChange) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

// list joins items with commas, at most maxListed of them.
func list(items []string) string {
	if len(items) > maxListed {
		return strings.Join(items[:maxListed], ", ") + fmt.Sprintf(" and %d more", len(items)-maxListed)
	}
	return strings.Join(items, ", ")
}

// short shortens a digest for a line of text.
func short(s string) string {
	if h, ok := strings.CutPrefix(s, "sha256:"); ok && len(h) > 12 {
		return h[:12]
	}
	if s == "" {
		return "(none)"
	}
	return s
}
