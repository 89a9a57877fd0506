package flow

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

// Input is one named input of a step. The variable LOCKSTEP_INPUT_<NAME>
// (upper-cased) holds its read-only path while the step runs.
type Input struct {
	// Name is the input's key.
	Name string
	// Kind says which of the fields below are set.
	Kind InputKind
	// Path is clean, slash-separated and relative to Flow.Dir (InputPath).
	Path string
	// Step and Output name another step's output (InputStep).
	Step   string
	Output string
	// Dataset and Version name a dataset (InputDataset).
	Dataset string
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
