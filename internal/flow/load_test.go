package flow

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "lockstep.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), "lockstep.yaml") {
		t.Errorf("error %q does not name the file", err)
	}
}

// TestLoadTooBig checks that an oversized file is refused with an *Error.
func TestLoadTooBig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lockstep.yaml")
	data := []byte("flow: x\n# " + strings.Repeat("x", MaxSize) + "\n")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Load: %v, want an *Error", err)
	}
	want := path + ": the file is 1048577 bytes, more than the limit of 1048576 (a flow file holds settings, not data; keep it under 1 MiB)"
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}

// TestLoadSymlinkEscape checks that a path input cannot reach outside the
// project through a symbolic link, while links inside it are fine.
func TestLoadSymlinkEscape(t *testing.T) {
	outside := t.TempDir()
	dir := project(t)
	if err := os.Symlink(outside, filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("data", filepath.Join(dir, "inside")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "lockstep.yaml")
	src := "flow: x\nsteps:\n  a:\n    run: x\n    inputs: {ok: inside/iris.csv, bad: escape}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := path + `:5: steps.a.inputs.bad: path "escape" leads outside the folder of the flow file through a symbolic link (copy the data into the project or register it as a dataset)`
	if err == nil || err.Error() != want {
		t.Errorf("Load error:\n got %v\nwant %s", err, want)
	}
}

// TestLoadRelative checks that Dir is absolute and File is as given.
func TestLoadRelative(t *testing.T) {
	dir := project(t)
	if err := os.WriteFile(filepath.Join(dir, "lockstep.yaml"), Template("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	f, err := Load("lockstep.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f.File != "lockstep.yaml" || f.Dir != dir {
		t.Errorf("File, Dir = %q, %q; want lockstep.yaml, %q", f.File, f.Dir, dir)
	}
	if !f.Digest.Valid() {
		t.Errorf("Digest %q is not a digest", f.Digest)
	}
}

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
