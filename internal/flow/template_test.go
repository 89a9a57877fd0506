package flow

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestTemplate(t *testing.T) {
	tests := map[string]string{
		"iris":         "iris",
		"My Project!":  "my-project",
		"housing-2017": "housing-2017",
		"":             "my-flow",
		"__":           "my-flow",
		"Ünïcode":      "n-code",
	}
	for name, want := range tests {
		f, err := Parse("lockstep.yaml", Template(name), "")
		if err != nil {
			t.Fatalf("Template(%q) does not parse:\n%v", name, err)
		}
		if f.Name != want {
			t.Errorf("Template(%q) names the flow %q, want %q", name, f.Name, want)
		}
	}
}

// TestTemplateLoads checks that the file "lockstep init" writes into an
// empty folder loads there, and that its steps chain as its comments say.
func TestTemplateLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lockstep.yaml")
	if err := os.WriteFile(path, Template("demo"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Order(), []string{"prepare", "train", "evaluate"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Order() = %v, want %v", got, want)
	}
	if o := f.Steps["train"].Outputs[0]; o.Kind != KindModel {
		t.Errorf("train's output %s is a %s, want a model", o.Name, o.Kind)
	}
}
