package flow

import (
	"fmt"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// Flow is a parsed and validated lockstep.yaml.
type Flow struct {
	// Name is the flow's name, from the "flow" key.
	Name string
	// File is the path of the flow file as it was given.
	File string
	// Dir is the absolute folder of the flow file; path inputs, the code
	// snapshot and key files are relative to it. It is empty when the flow
	// was parsed without a folder.
	Dir string
	// Digest names the bytes of the flow file.
	Digest core.Digest
	// Seed is the flow's seed, or nil when lockstep should draw one.
	Seed *int64
	// Params holds the flow's parameter defaults: string, int64, float64 or bool.
	Params map[string]any
	// Code says which files the code snapshot holds.
	Code CodeSpec
	// Sandbox is SandboxRequired or SandboxNone, the default of every step.
	Sandbox string
	// Environment says what of the toolchain is exposed and archived.
	Environment EnvSpec
	// Secrets lists, sorted, the names of variables every step receives
	// from the caller's environment without their values being recorded.
	Secrets []string
	// Signing names the key that signs the run's provenance.
	Signing SigningSpec
	// Trust maps a role (builders, data-producers, reviewers, rebuilders) to public key files.
	Trust map[string][]string
	// Formats maps a serialisation format ("pickle") to FormatDeny,
	// FormatAllowSafe or FormatAllow.
	// Every known format is present.
	Formats map[string]string
	// Steps maps a step's name to the step.
	Steps map[string]*Step
}

// CodeSpec lists gitignore-style patterns, relative to the flow's folder,
// that choose the files of the code snapshot. Empty lists leave the choice
// to the snapshot's defaults.
type CodeSpec struct {
	// Include lists the patterns of files to snapshot.
	Include []string
	// Exclude lists the patterns of files to leave out, over Include.
	Exclude []string
}

// EnvSpec says how the toolchain is treated.
type EnvSpec struct {
	// Archive stores the toolchain directories as trees.
	Archive bool
	// Paths are extra absolute directories exposed read-only and archived.
	Paths []string
}

// SigningSpec names the signing key.
type SigningSpec struct {
	// Key is the path of the private key, relative to the flow's folder
	// unless absolute. Empty means the default key.
	Key string
}

// Step is one command of a flow with its declared inputs and outputs.
type Step struct {
	// Name is the step's name, its key under "steps".
	Name string
	// Run is the shell command, run with /bin/sh -c.
	Run string
	// Line is where the step is declared in the flow file.
	Line int
	// Inputs are sorted by name.
	Inputs []Input
	// Outputs are sorted by name.
	Outputs []Output
	// Params are the step's own parameters, overriding the flow's defaults.
	Params map[string]any
	// Env lists, sorted, the names of variables the step may see from the
	// caller's environment.
	Env []string
	// Secrets lists, sorted, the names of variables the step receives from
	// the caller's environment whose values are never recorded nor shown:
	// the flow's and the step's own. They are not in Env.
	Secrets []string
	// Resources is what the step asks of the machine.
	Resources Resources
	// Needs lists, sorted, steps that must run first besides those the
	// inputs name.
	Needs []string
	// Network allows network access; the task is then recorded as not hermetic.
	Network bool
	// Sandbox overrides the flow's sandbox; "" means the flow's default.
	Sandbox string
	// Compare maps a file (relative to an output) or an output name to the
	// tolerance reproduce allows when comparing it.
	Compare map[string]Tolerance
	// Code narrows the flow's code snapshot to the files this step sees and
	// whose changes re-run it; empty lists keep the whole snapshot.
	Code CodeSpec
	// Foreach, when set, runs the step once per item; nil runs it once.
	Foreach *Foreach
}

// Output is a file or directory a step writes under $LOCKSTEP_OUTPUT_DIR.
type Output struct {
	// Name is the output's key; other steps refer to it as STEP.NAME.
	Name string
	// Path is clean, slash-separated and relative to the output folder,
	// without a trailing slash.
	Path string
	// Kind is KindFile, KindDir or KindModel.
	Kind string
	// Line is where the output is declared.
	Line int
}

// Output kinds.
const (
	KindFile  = "file"
	KindDir   = "dir"
	KindModel = "model" // a model directory, signed with OpenSSF model signing
)

// IsDir reports whether the output is a directory (a dir or a model).
func (o Output) IsDir() bool { return o.Kind == KindDir || o.Kind == KindModel }

// Resources is what a step asks of the machine; zero values mean "not said".
type Resources struct {
	// CPUs is the number of CPUs, possibly fractional.
	CPUs float64
	// MemoryBytes is the memory limit.
	MemoryBytes int64
	// GPUs is the number of GPUs.
	GPUs int
	// Time is the wall-clock limit.
	Time time.Duration
}

// Tolerance bounds the difference reproduce accepts between a number a of
// the original run and b of the rerun: |a-b| <= ATol + RTol*|a|. The zero
// Tolerance asks for equality.
type Tolerance struct {
	// RTol is the relative tolerance.
	RTol float64
	// ATol is the absolute tolerance.
	ATol float64
}

// Sandbox settings.
const (
	SandboxRequired = "required"
	SandboxNone     = "none"
)

// Format policies.
const (
	// FormatDeny refuses every file of the format (the default).
	FormatDeny = "deny"
	// FormatAllowSafe lets in, as a recorded warning, pickles whose imports
	// are all on the scanner's safe list.
	FormatAllowSafe = "allow-safe"
	// FormatAllow lets in, as a recorded warning, any pickle without a
	// dangerous import.
	FormatAllow = "allow"
)

// InputKind says where an input comes from.
type InputKind int

// Kinds of input.
const (
	// InputPath is a file or directory of the project.
	InputPath InputKind = iota
	// InputStep is an output of another step.
	InputStep
	// InputDataset is a registered dataset, NAME@VERSION.
	InputDataset
)

// String returns "path", "step" or "dataset".
func (k InputKind) String() string {
	switch k {
	case InputPath:
		return "path"
	case InputStep:
		return "step"
	case InputDataset:
		return "dataset"
	}
	return "unknown"
}

// MarshalText writes the kind as String does, so records read well.
func (k InputKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind written by MarshalText.
func (k *InputKind) UnmarshalText(b []byte) error {
	for _, kind := range []InputKind{InputPath, InputStep, InputDataset} {
		if string(b) == kind.String() {
			*k = kind
			return nil
		}
	}
	return fmt.Errorf("input kind %q: want path, step or dataset", b)
}

// Input is one named input of a step. The variable LOCKSTEP_INPUT_<NAME>
// (upper-cased) holds its read-only path while the step runs.
type Input struct {
	// Name is the input's key.
	Name string
	// Kind says which of the fields below are set.
	Kind InputKind
	// Path is clean, slash-separated and relative to Flow.Dir (InputPath).
	Path string
	// Step is the step whose output is read (InputStep).
	Step string
	// Output is the name of that step's output (InputStep).
	Output string
	// Dataset is the dataset's canonical name (InputDataset).
	Dataset string
	// Version is the dataset's version (InputDataset).
	Version string
	// Line is where the input is declared.
	Line int
}

// Ref returns the input as a user would write it: "data/iris.csv",
// "prepare.train" or "housing@2017-v2".
func (i Input) Ref() string {
	switch i.Kind {
	case InputStep:
		return i.Step + "." + i.Output
	case InputDataset:
		return i.Dataset + "@" + i.Version
	}
	return i.Path
}
