package core

import (
	"fmt"
	"path/filepath"
	"strings"
)

// TaskSpecType is the "type" field of a task spec object.
const TaskSpecType = "lockstep.taskspec/v1"

// TaskSpec is everything an executor needs to run one step, stored as an
// object so that `lockstep task exec SPEC-DIGEST` can run wherever the
// store is reachable. Backends read it (its Resources above all); the
// engine writes it; the task package executes it. It never holds secret
// values: environment variables are named, and their values come from the
// executing machine.
type TaskSpec struct {
	Type    string              `json:"type"`
	Run     string              `json:"run"`
	Step    string              `json:"step"`
	Command string              `json:"command"`
	Code    Digest              `json:"code"`
	Inputs  map[string]Artifact `json:"inputs"`
	Outputs []TaskOutput        `json:"outputs"`
	Params  map[string]any      `json:"params"`
	Seed    int64               `json:"seed"`
	// Item is the foreach item this task runs, key → value; the step sees
	// each in $LOCKSTEP_ITEM_<KEY>. Nil for a step without foreach.
	Item map[string]any `json:"item,omitempty"`
	// Env names the variables, besides the allowlist, the step may see.
	Env []string `json:"env,omitempty"`
	// Sandbox is "bubblewrap" or "none".
	Sandbox string            `json:"sandbox"`
	Network bool              `json:"network"`
	Paths   []string          `json:"paths,omitempty"`
	Formats map[string]string `json:"formats,omitempty"`
	// PlanKey names everything the submitter knows that shapes the
	// outputs (command, code, inputs, params, seed, declared outputs and
	// settings). The executor adds its own environment's digest to make
	// the final cache key.
	PlanKey Digest `json:"plan_key"`
	// NoCache makes the executor run the task even when its final key
	// matches an earlier task's.
	NoCache bool `json:"no_cache,omitempty"`
	// Resources are what the step asked for; a backend runs the task where
	// they are met or refuses it.
	Resources Resources `json:"resources"`
	// ArchiveEnv stores the toolchain directories the step sees as trees.
	ArchiveEnv bool `json:"archive_env,omitempty"`
	// Restore mounts these archived trees at their original absolute paths
	// (needs the bubblewrap sandbox).
	Restore map[string]Digest `json:"restore,omitempty"`
	// Secrets are variables the step receives, like Env, whose values are
	// never recorded: the environment record and the cache key hold them
	// sealed (HMAC-SHA256 under the executing home's key).
	Secrets []string `json:"secrets,omitempty"`
}

// TaskOutput is one declared output of a step: a file or a directory under
// $LOCKSTEP_OUTPUT_DIR.
type TaskOutput struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Kind is "file", "dir" or "model".
	Kind string `json:"kind"`
}

// IsDir reports whether the output is a directory.
func (o TaskOutput) IsDir() bool { return o.Kind == "dir" || o.Kind == "model" }

// Resources are a step's requested CPUs, memory, GPUs and time limit.
type Resources struct {
	CPUs        float64 `json:"cpus,omitempty"`
	MemoryBytes int64   `json:"memory_bytes,omitempty"`
	GPUs        int     `json:"gpus,omitempty"`
	// GPUType names the GPU model asked for ("" for any).
	GPUType string `json:"gpu_type,omitempty"`
	// TimeSeconds is the wall-clock limit (0: none).
	TimeSeconds int64 `json:"time_seconds,omitempty"`
}

// Validate checks a spec read from the store before anything runs.
func (s *TaskSpec) Validate() error {
	if s.Type != TaskSpecType {
		return fmt.Errorf("task spec: type %q, want %q", s.Type, TaskSpecType)
	}
	if s.Step == "" || s.Command == "" {
		return fmt.Errorf("task spec: step and command are required")
	}
	if !s.PlanKey.Valid() {
		return fmt.Errorf("task spec %s: bad plan key %q", s.Step, s.PlanKey)
	}
	if !s.Code.Valid() {
		return fmt.Errorf("task spec %s: bad code digest %q", s.Step, s.Code)
	}
	for name, in := range s.Inputs {
		if !in.Digest.Valid() {
			return fmt.Errorf("task spec %s: input %s: bad digest %q", s.Step, name, in.Digest)
		}
	}
	for p, d := range s.Restore {
		if !filepath.IsAbs(p) || filepath.Clean(p) != p || !d.Valid() {
			return fmt.Errorf("task spec %s: restore %q: want an absolute clean path and a digest", s.Step, p)
		}
	}
	if len(s.Restore) > 0 && s.Sandbox != "bubblewrap" {
		return fmt.Errorf("task spec %s: restoring an archived environment needs the bubblewrap sandbox (it mounts the archive at the original paths); run without --sandbox none", s.Step)
	}
	for _, o := range s.Outputs {
		if err := ValidRelPath(strings.TrimSuffix(o.Path, "/")); err != nil {
			return fmt.Errorf("task spec %s: output %s: %w", s.Step, o.Name, err)
		}
	}
	return nil
}
