package task

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

// contractEnv builds the complete environment a step sees: the caller's
// allowlisted variables and those the step names, then the step contract.
// It also returns the part that is recorded (without per-task paths).
func contractEnv(s *core.TaskSpec, environ []string, dirs workDirs, inputs map[string]string) (env []string, recorded map[string]string, err error) {
	recorded = RecordedEnv(environ, named(s))
	vars := make(map[string]string, len(recorded)+16)
	for k, v := range recorded {
		vars[k] = v
	}
	if _, ok := vars["PATH"]; !ok {
		vars["PATH"] = "/usr/local/bin:/usr/bin:/bin"
	}

	paramsFile := filepath.Join(dirs.root, "params.json")
	b, err := json.MarshalIndent(s.Params, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encode params: %w", err)
	}
	if err := os.WriteFile(paramsFile, append(b, '\n'), 0o444); err != nil {
		return nil, nil, fmt.Errorf("write params: %w", err)
	}
	seed := strconv.FormatInt(s.Seed, 10)
	vars["HOME"] = dirs.home
	vars["TMPDIR"] = dirs.tmp
	vars["LOCKSTEP_OUTPUT_DIR"] = dirs.out
	vars["LOCKSTEP_SEED"] = seed
	vars["PYTHONHASHSEED"] = pythonHashSeed(s.Seed)
	vars["LOCKSTEP_PARAMS"] = paramsFile
	vars["LOCKSTEP_METRICS"] = dirs.metrics
	vars["LOCKSTEP_STEP"] = s.Step
	vars["LOCKSTEP_RUN"] = s.Run
	for name, v := range s.Params {
		vars["LOCKSTEP_PARAM_"+envName(name)] = core.ValueString(v)
	}
	for name, v := range s.Item {
		vars["LOCKSTEP_ITEM_"+envName(name)] = core.ValueString(v)
	}
	for name, p := range inputs {
		vars["LOCKSTEP_INPUT_"+envName(name)] = p
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env, recorded, nil
}

// RecordedEnv is the part of the caller's environment a step sees besides
// the contract: allowlisted variables and those the step names in `env:`.
// HOME and TMPDIR are left out: each task gets private ones, and per-task
// paths would make every environment record unique. Values are as the step
// sees them; capture redacts secrets before anything is recorded.
func RecordedEnv(environ, stepEnv []string) map[string]string {
	allow := append(capture.DefaultAllowlist(), stepEnv...)
	vars := capture.FilterEnv(environ, allow)
	delete(vars, "HOME")
	delete(vars, "TMPDIR")
	return vars
}

// named lists the variables a step names: those under env and secrets.
func named(s *core.TaskSpec) []string {
	return append(slices.Clone(s.Env), s.Secrets...)
}

// CaptureOptions says how to capture the environment of the step: the
// part of environ it sees (RecordedEnv), whose PATH finds the interpreter,
// the folder holding its code (scripts it starts are read there), and its
// secrets sealed under key.
func CaptureOptions(s *core.TaskSpec, environ []string, dir string, key []byte) capture.Options {
	recorded := RecordedEnv(environ, named(s))
	return capture.Options{Command: s.Command, PATH: recorded["PATH"], Env: recorded, Dir: dir,
		Secrets: capture.Secrets{Names: s.Secrets, Key: key}}
}

// pythonHashSeed maps a seed onto PYTHONHASHSEED's range (0..4294967295).
func pythonHashSeed(seed int64) string {
	return strconv.FormatUint(uint64(seed)%4294967296, 10)
}

func envName(name string) string { return strings.ToUpper(name) }

// inputPath is where an input appears to the step: a directory input is the
// directory itself; a file input keeps its original base name inside a
// directory named after the input.
func inputPath(dirs workDirs, name string, a core.Artifact) string {
	if a.Kind == core.KindTree {
		return filepath.Join(dirs.inputs, name)
	}
	base := a.File
	if base == "" || core.ValidRelPath(base) != nil || strings.Contains(base, "/") {
		base = "data"
	}
	return filepath.Join(dirs.inputs, name, base)
}
