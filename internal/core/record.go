package core

import (
	"encoding/json"
	"time"
)

// Record types: the "type" field of each canonical JSON record in the store.
const (
	RunType  = "lockstep.run/v1"
	TaskType = "lockstep.task/v1"
)

// Run statuses.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusAborted   = "aborted"
	StatusCached    = "cached"  // task only: outputs reused from an earlier task
	StatusSkipped   = "skipped" // task only: not run because a dependency failed
)

// Artifact is one named input or output of a task.
type Artifact struct {
	// Digest names a file's bytes or a directory's tree.
	Digest Digest `json:"digest"`
	// Kind is KindFile or "tree".
	Kind string `json:"kind"`
	// Size is the total bytes.
	Size int64 `json:"size"`
	// Source says where an input came from: "path:data/x.csv", "step:prepare.train", "dataset:name@version".
	Source string `json:"source,omitempty"`
	// File is a file artifact's base name ("iris.csv"), so a step sees the name it expects.
	File string `json:"file,omitempty"`
	// BOM is a dataset's bill of materials (datasets only).
	BOM Digest `json:"bom,omitempty"`
}

// KindTree marks an Artifact that is a directory.
const KindTree = "tree"

// GitInfo describes the git checkout the code came from.
type GitInfo struct {
	Commit string `json:"commit,omitempty"`
	Branch string `json:"branch,omitempty"`
	Remote string `json:"remote,omitempty"`
	Dirty  bool   `json:"dirty"`
}

// RunRecord is what one execution of a flow leaves behind.
type RunRecord struct {
	Type        string            `json:"type"`
	ID          string            `json:"id"`
	Flow        string            `json:"flow"`
	FlowFile    Digest            `json:"flow_file"`
	FlowPath    string            `json:"flow_path"`
	Code        Digest            `json:"code"`
	Git         *GitInfo          `json:"git,omitempty"`
	Params      map[string]any    `json:"params"`
	Seed        int64             `json:"seed"`
	Steps       []string          `json:"steps,omitempty"`
	Sandbox     string            `json:"sandbox"`
	Status      string            `json:"status"`
	Error       string            `json:"error,omitempty"`
	Host        string            `json:"host"`
	Version     string            `json:"lockstep_version"`
	Started     time.Time         `json:"started"`
	Finished    time.Time         `json:"finished"`
	Tasks       map[string]Digest `json:"tasks"`
	ResumedFrom string            `json:"resumed_from,omitempty"`
	// Reproduces names the run this run re-executed to check it.
	Reproduces string `json:"reproduces,omitempty"`
}

// TaskRecord is what one execution of a step leaves behind.
type TaskRecord struct {
	Type    string              `json:"type"`
	Run     string              `json:"run"`
	Step    string              `json:"step"`
	Spec    Digest              `json:"spec"`
	Command string              `json:"command"`
	Code    Digest              `json:"code"`
	Inputs  map[string]Artifact `json:"inputs"`
	Outputs map[string]Artifact `json:"outputs"`
	Params  map[string]any      `json:"params"`
	Seed    int64               `json:"seed"`
	// Item is the foreach item the task ran (see TaskSpec.Item).
	Item map[string]any `json:"item,omitempty"`
	// Items, on the record of a foreach step itself, names its items'
	// tasks in item order; the step's outputs gather theirs.
	Items       []string `json:"items,omitempty"`
	Environment Digest   `json:"environment"`
	// Placement says where the executor ran: "host", and a scheduler's
	// job variables (SLURM_JOB_ID, SLURM_JOB_NODELIST, SLURM_JOB_GPUS, …).
	Placement map[string]string `json:"placement,omitempty"`
	Sandbox   string            `json:"sandbox"`
	Network   bool              `json:"network"`
	Status    string            `json:"status"`
	ExitCode  int               `json:"exit_code"`
	Error     string            `json:"error,omitempty"`
	Started   time.Time         `json:"started"`
	Finished  time.Time         `json:"finished"`
	PeakRSS   int64             `json:"peak_rss_bytes"`
	Stdout    Digest            `json:"stdout,omitempty"`
	Stderr    Digest            `json:"stderr,omitempty"`
	Metrics   json.RawMessage   `json:"metrics,omitempty"`
	// CacheKey is the final key: the spec's plan key and the digest of
	// the environment the task ran in, computed where it ran.
	CacheKey   Digest       `json:"cache_key"`
	PlanKey    Digest       `json:"plan_key,omitempty"`
	CachedFrom Digest       `json:"cached_from,omitempty"`
	Files      []FileReport `json:"files,omitempty"`
	// Toolchain maps each archived toolchain directory (absolute path) to
	// its tree, when the environment was archived.
	Toolchain map[string]Digest `json:"toolchain,omitempty"`
	// Restored maps each directory restored from an archive to its tree,
	// when the task ran with an earlier task's archived environment.
	Restored map[string]Digest `json:"restored,omitempty"`
}

// FileReport is what the format scanner found in one input or output file.
type FileReport struct {
	// Artifact is "output:NAME" or "input:NAME".
	Artifact string `json:"artifact"`
	// Path is relative to the artifact ("" for a file artifact).
	Path     string           `json:"path,omitempty"`
	Format   string           `json:"format"`
	Verdict  string           `json:"verdict"`
	Summary  map[string]int64 `json:"summary,omitempty"`
	Findings []string         `json:"findings,omitempty"`
	// Policy is the format policy that let an allowed file in:
	// "allow-safe" or "allow" ("" for other verdicts).
	Policy string `json:"policy,omitempty"`
}

// Duration is how long the run took (zero while it runs).
func (r *RunRecord) Duration() time.Duration {
	if r.Finished.IsZero() {
		return 0
	}
	return r.Finished.Sub(r.Started)
}
