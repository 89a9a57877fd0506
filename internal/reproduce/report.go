package reproduce

import (
	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// ReportType is the "type" of a stored reproduction report.
const ReportType = "lockstep.reproduction/v1"

// Verdict says how closely a rerun matched: for an output, a task or a run.
type Verdict string

// Verdicts, from best to worst.
const (
	// Reproduced: every byte is the same.
	Reproduced Verdict = "reproduced"
	// WithinTolerance: only numbers in JSON differ, each within its tolerance.
	WithinTolerance Verdict = "reproduced within tolerance"
	// Differs: something differs beyond tolerance, or is missing.
	Differs Verdict = "differs"
)

// worse returns the worse of two verdicts.
func worse(a, b Verdict) Verdict {
	rank := map[Verdict]int{Reproduced: 0, WithinTolerance: 1, Differs: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Report compares two runs: the original and its rerun (or any two runs of a
// flow, for Diff). Stored as canonical JSON; it holds no times, so the same
// comparison always has the same digest.
type Report struct {
	// Type is ReportType for a stored reproduction report.
	Type     string `json:"type"`
	Original string `json:"original"`
	Rerun    string `json:"rerun"`
	// OriginalRecord and RerunRecord name the two run records.
	OriginalRecord core.Digest `json:"original_record"`
	RerunRecord    core.Digest `json:"rerun_record"`
	Verdict        Verdict     `json:"verdict"`
	// FirstDifference is the first task, in DAG order, whose inputs matched
	// but whose outputs did not: where the difference starts.
	FirstDifference string `json:"first_difference,omitempty"`
	// Run-level differences: code files, flow file, params, seed.
	Code     []FileChange  `json:"code,omitempty"`
	FlowFile *Change       `json:"flow_file,omitempty"`
	Params   []ValueChange `json:"params,omitempty"`
	Seed     *Change       `json:"seed,omitempty"`
	// Tasks are in DAG order.
	Tasks []TaskResult `json:"tasks"`
	// Tolerance is the default tolerance numbers were compared with.
	Tolerance Tolerance `json:"tolerance"`
}

// TaskResult compares one step's two tasks.
type TaskResult struct {
	Step    string  `json:"step"`
	Verdict Verdict `json:"verdict"`
	// Original and Rerun name the task records ("" when one run lacks the step).
	Original core.Digest `json:"original,omitempty"`
	Rerun    core.Digest `json:"rerun,omitempty"`
	// Problem says why the task could not be compared (it failed, was
	// skipped, or one run lacks it).
	Problem string `json:"problem,omitempty"`
	// InputsMatch is true when every input has the same digest in both.
	InputsMatch bool         `json:"inputs_match"`
	Inputs      []Change     `json:"inputs,omitempty"`
	Command     *Change      `json:"command,omitempty"`
	Outputs     []OutputDiff `json:"outputs"`
	// Metrics holds each metric that differs, with its delta.
	Metrics []ValueChange `json:"metrics,omitempty"`
	// ConsequenceOf names the earlier differing steps whose outputs this
	// task read: its own difference follows from theirs.
	ConsequenceOf []string `json:"consequence_of,omitempty"`
	// Environment lists what differs between the two tasks' environments.
	Environment []capture.Change `json:"environment,omitempty"`
	Seed        *Change          `json:"seed,omitempty"`
}

// OutputDiff compares one output of a step.
type OutputDiff struct {
	Name     string      `json:"name"`
	Verdict  Verdict     `json:"verdict"`
	Kind     string      `json:"kind"`
	Original core.Digest `json:"original,omitempty"`
	Rerun    core.Digest `json:"rerun,omitempty"`
	// OriginalSize and RerunSize are in bytes.
	OriginalSize int64 `json:"original_size"`
	RerunSize    int64 `json:"rerun_size"`
	// Files lists files added, removed or changed in a directory output.
	Files []FileChange `json:"files,omitempty"`
	// Details is a short structural diff: JSON keys and values, CSV rows
	// and cells, for people to read.
	Details []string `json:"details,omitempty"`
}

// Change is one value that differs, written for people ("" when absent).
type Change struct {
	Name string `json:"name,omitempty"`
	From string `json:"from"`
	To   string `json:"to"`
}

// ValueChange is a param or metric that differs; numbers carry their delta.
type ValueChange struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
	// Delta is To - From when both are numbers.
	Delta *float64 `json:"delta,omitempty"`
	// Within is true when the delta is within tolerance.
	Within bool `json:"within_tolerance,omitempty"`
}

// FileChange is a file added, removed or changed between two trees.
type FileChange struct {
	Path string `json:"path"`
	// Change is "added", "removed" or "changed".
	Change string      `json:"change"`
	From   core.Digest `json:"from,omitempty"`
	To     core.Digest `json:"to,omitempty"`
	// Verdict is set for files compared inside a directory output.
	Verdict Verdict  `json:"verdict,omitempty"`
	Details []string `json:"details,omitempty"`
}

// Save stores the report as a canonical JSON object and returns its digest.
func (r *Report) Save(st *store.Store) (core.Digest, error) {
	return st.PutJSON(r)
}
