package flow

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestParseInputs checks how references resolve, in a project that has
// prepare.py and data/ next to a step called prepare.
func TestParseInputs(t *testing.T) {
	dir := project(t)
	tests := []struct {
		ref     string // as written in the flow
		want    Input
		wantRef string // Ref() of the input
	}{
		{"data/iris.csv", Input{Kind: InputPath, Path: "data/iris.csv"}, "data/iris.csv"},
		{"./data//images/../iris.csv", Input{Kind: InputPath, Path: "data/iris.csv"}, "data/iris.csv"},
		{"data/images/", Input{Kind: InputPath, Path: "data/images"}, "data/images"},
		{"prepare.py", Input{Kind: InputPath, Path: "prepare.py"}, "prepare.py"},
		{"prepare.train", Input{Kind: InputStep, Step: "prepare", Output: "train"}, "prepare.train"},
		{"{step: prepare, output: test}", Input{Kind: InputStep, Step: "prepare", Output: "test"}, "prepare.test"},
		{"housing-data@2017-v2", Input{Kind: InputDataset, Dataset: "housing-data", Version: "2017-v2"}, "housing-data@2017-v2"},
		{"{dataset: iris.v2@2024-01-01}", Input{Kind: InputDataset, Dataset: "iris.v2", Version: "2024-01-01"}, "iris.v2@2024-01-01"},
		{"{path: data/iris.csv}", Input{Kind: InputPath, Path: "data/iris.csv"}, "data/iris.csv"},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			f, err := Parse("lockstep.yaml", flowText(strings.Replace(twoSteps, "%s", tc.ref, 1)), dir)
			if err != nil {
				t.Fatal(err)
			}
			got := f.Steps["train"].Inputs[0]
			tc.want.Name, tc.want.Line = "data", 10
			if got != tc.want {
				t.Errorf("input = %+v\nwant    %+v", got, tc.want)
			}
			if r := got.Ref(); r != tc.wantRef {
				t.Errorf("Ref() = %q, want %q", r, tc.wantRef)
			}
		})
	}
}

// TestInputJSON checks that inputs survive a JSON round trip, as in a
// task spec, with the kind written as a word.
func TestInputJSON(t *testing.T) {
	in := []Input{
		{Name: "raw", Kind: InputPath, Path: "data/iris.csv", Line: 3},
		{Name: "data", Kind: InputStep, Step: "prepare", Output: "train", Line: 4},
		{Name: "h", Kind: InputDataset, Dataset: "housing", Version: "v2", Line: 5},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"Kind":"dataset"`)) {
		t.Errorf("JSON %s does not name the kind as a word", b)
	}
	var back []Input
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, in) {
		t.Errorf("round trip gave %+v, want %+v", back, in)
	}
	var k InputKind
	if err := json.Unmarshal([]byte(`"url"`), &k); err == nil {
		t.Error("unknown kind \"url\" was accepted")
	}
}

// TestParseWithoutDir checks that without a folder paths are not looked up,
// so a flow file read back from the store still parses.
func TestParseWithoutDir(t *testing.T) {
	for _, ref := range []string{"data/not-here.csv", "prepare.py", "prepare.trian"} {
		f, err := Parse("lockstep.yaml", flowText(strings.Replace(twoSteps, "%s", ref, 1)), "")
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if in := f.Steps["train"].Inputs[0]; in.Kind != InputPath || in.Path != ref {
			t.Errorf("%s: input = %+v, want the path", ref, in)
		}
		if f.Dir != "" {
			t.Errorf("Dir = %q, want empty", f.Dir)
		}
	}
}

func TestParseDefaults(t *testing.T) {
	f, err := Parse("lockstep.yaml", []byte("flow: x\nsteps:\n  a:\n    run: echo hi\n    outputs: {d: out/, m: {path: m, kind: model}}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Seed != nil {
		t.Errorf("Seed = %d, want nil (drawn at run time)", *f.Seed)
	}
	if f.Sandbox != SandboxRequired {
		t.Errorf("Sandbox = %q, want %q", f.Sandbox, SandboxRequired)
	}
	if f.Formats["pickle"] != FormatDeny {
		t.Errorf("Formats = %v, want pickle denied", f.Formats)
	}
	a := f.Steps["a"]
	if a.Sandbox != "" || a.Network {
		t.Errorf("step sandbox %q network %v, want flow default and no network", a.Sandbox, a.Network)
	}
	wantOut := []Output{{Name: "d", Path: "out", Kind: KindDir, Line: 5}, {Name: "m", Path: "m", Kind: KindModel, Line: 5}}
	if !reflect.DeepEqual(a.Outputs, wantOut) {
		t.Errorf("Outputs = %+v, want %+v", a.Outputs, wantOut)
	}
	for _, o := range a.Outputs {
		if !o.IsDir() {
			t.Errorf("%s.IsDir() = false, want true", o.Name)
		}
	}
	if (Output{Kind: KindFile}).IsDir() {
		t.Error("a file output says it is a directory")
	}
}

// TestParseTypes checks that parameter values keep their YAML types.
func TestParseTypes(t *testing.T) {
	src := "flow: x\nseed: 4294967295\nparams: {i: 100, f: 0.5, e: 1e-3, b: true, s: hello, q: \"100\", d: 2024-01-01, neg: -7}\nsteps:\n  a: {run: x}\n"
	f, err := Parse("lockstep.yaml", []byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"i": int64(100), "f": 0.5, "e": 0.001, "b": true, "s": "hello", "q": "100", "d": "2024-01-01", "neg": int64(-7)}
	if !reflect.DeepEqual(f.Params, want) {
		t.Errorf("Params = %#v\nwant %#v", f.Params, want)
	}
	if f.Seed == nil || *f.Seed != 4294967295 {
		t.Errorf("Seed = %v, want 4294967295", f.Seed)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files")

// TestLoadGolden loads an example with every key and compares the parsed
// Flow, as JSON, with testdata/iris.golden.json.
func TestLoadGolden(t *testing.T) {
	f, err := Load(filepath.Join("testdata", "iris", "lockstep.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wantDir, err := filepath.Abs(filepath.Join("testdata", "iris"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Dir != wantDir {
		t.Errorf("Dir = %q, want %q", f.Dir, wantDir)
	}
	f.Dir = "" // differs between machines
	got, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "iris.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("parsed flow differs from %s (run go test -update to accept):\n%s", golden, got)
	}
}

func TestSecretsJoinTheFlowsAndTheSteps(t *testing.T) {
	f, err := Parse("lockstep.yaml", flowText(`
flow: iris
secrets: [HF_TOKEN]
steps:
  a: {run: x, env: [OMP_NUM_THREADS], secrets: [DB_PASS, AWS_PROFILE_KEY]}
  b: {run: y}
`), project(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Steps["a"].Secrets; !slices.Equal(got, []string{"AWS_PROFILE_KEY", "DB_PASS", "HF_TOKEN"}) {
		t.Errorf("step a secrets %v, want its own and the flow's, sorted", got)
	}
	if got := f.Steps["b"].Secrets; !slices.Equal(got, []string{"HF_TOKEN"}) {
		t.Errorf("step b secrets %v, want the flow's", got)
	}
	if got := f.Steps["a"].Env; !slices.Equal(got, []string{"OMP_NUM_THREADS"}) {
		t.Errorf("step a env %v: secrets leaked into env", got)
	}
}
