package task

import (
	"fmt"
	"path/filepath"
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// SpecType is the "type" field of a task spec object.
const SpecType = "lockstep.taskspec/v1"

// Spec is everything a backend needs to execute one step, stored as an
// object so that `lockstep task exec SPEC-DIGEST` can run anywhere the store
// is reachable. It never holds secret values: environment variables are named,
// and their values come from the executing machine.
type Spec struct {
	Type     string                   `json:"type"`
	Run      string                   `json:"run"`
	Step     string                   `json:"step"`
	Command  string                   `json:"command"`
	Code     core.Digest              `json:"code"`
	Inputs   map[string]core.Artifact `json:"inputs"`
	Outputs  []Output                 `json:"outputs"`
	Params   map[string]any           `json:"params"`
	Seed     int64                    `json:"seed"`
	Env      []string                 `json:"env,omitempty"`
	Sandbox  string                   `json:"sandbox"`
	Network  bool                     `json:"network"`
	Paths    []string                 `json:"paths,omitempty"`
	Formats  map[string]string        `json:"formats,omitempty"`
	CacheKey core.Digest              `json:"cache_key"`
	// Resources are what the step asked for; the local backend enforces
	// the time limit and records the rest.
	Resources Resources `json:"resources"`
	// ArchiveEnv stores the toolchain directories the step sees as trees.
	ArchiveEnv bool `json:"archive_env,omitempty"`
	// Restore mounts these archived trees at their original absolute paths
	// (needs the bubblewrap sandbox).
	Restore map[string]core.Digest `json:"restore,omitempty"`
	// Secrets are variables the step receives, like Env, whose values are
	// never recorded (they are sealed; see capture.Secrets).
	Secrets []string `json:"secrets,omitempty"`
}

// Output is one declared output of a step: a file or a directory under
// $LOCKSTEP_OUTPUT_DIR.
type Output struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Kind is "file", "dir" or "model".
	Kind string `json:"kind"`
}

// IsDir reports whether the output is a directory.
func (o Output) IsDir() bool { return o.Kind == "dir" || o.Kind == "model" }

// Validate checks a spec read from the store before anything runs.
func (s *Spec) Validate() error {
	if s.Type != SpecType {
		return fmt.Errorf("task spec: type %q, want %q", s.Type, SpecType)
	}
	if s.Step == "" || s.Command == "" {
		return fmt.Errorf("task spec: step and command are required")
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
		if err := core.ValidRelPath(strings.TrimSuffix(o.Path, "/")); err != nil {
			return fmt.Errorf("task spec %s: output %s: %w", s.Step, o.Name, err)
		}
	}
	return nil
}

// Resources are a step's requested CPUs, memory, GPUs and time limit.
type Resources struct {
	CPUs        float64 `json:"cpus,omitempty"`
	MemoryBytes int64   `json:"memory_bytes,omitempty"`
	GPUs        int     `json:"gpus,omitempty"`
	// TimeSeconds is the wall-clock limit (0: none).
	TimeSeconds int64 `json:"time_seconds,omitempty"`
}
