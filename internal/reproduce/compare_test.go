package reproduce

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// fixture builds runs from task records whose outputs are real objects.
type fixture struct {
	t  *testing.T
	st *store.Store
}

func newFixture(t *testing.T) *fixture {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &fixture{t: t, st: st}
}

// file stores body as a file artifact named name.
func (f *fixture) file(name, body string) core.Artifact {
	d, err := f.st.PutBytes([]byte(body))
	if err != nil {
		f.t.Fatal(err)
	}
	return core.Artifact{Digest: d, Kind: core.KindFile, Size: int64(len(body)), File: name}
}

// dir stores files as a tree artifact.
func (f *fixture) dir(files map[string]string) core.Artifact {
	root := f.t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
	d, tree, err := f.st.PutTree(f.t.Context(), root, store.TreeOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	return core.Artifact{Digest: d, Kind: core.KindTree, Size: tree.Size()}
}

func (f *fixture) run(id string, tasks map[string]*core.TaskRecord) *Run {
	r := &Run{Record: &core.RunRecord{Type: core.RunType, ID: id, Tasks: map[string]core.Digest{}}, Tasks: tasks}
	for step, t := range tasks {
		t.Step, t.Status = step, core.StatusSucceeded
		if t.Inputs == nil {
			t.Inputs = map[string]core.Artifact{}
		}
		d, err := f.st.PutJSON(t)
		if err != nil {
			f.t.Fatal(err)
		}
		r.Record.Tasks[step] = d
	}
	return r
}

func TestCompareTasks(t *testing.T) {
	f := newFixture(t)
	modelA := f.dir(map[string]string{"w.json": `{"w":[1.0,2.0]}`, "card.md": "v1"})
	modelB := f.dir(map[string]string{"w.json": `{"w":[1.0,2.0000000001]}`, "card.md": "v1"})
	modelC := f.dir(map[string]string{"w.json": `{"w":[1.0,2.0]}`, "notes.txt": "new"})
	data := f.file("data.csv", "x\n1\n")
	orig := f.run("orig", map[string]*core.TaskRecord{
		"prep":  {Outputs: map[string]core.Artifact{"data": data}},
		"fit":   {Inputs: map[string]core.Artifact{"data": withSource(data, "step:prep.data")}, Outputs: map[string]core.Artifact{"model": modelA}},
		"other": {Outputs: map[string]core.Artifact{"model": modelA}},
		"gone":  {Outputs: map[string]core.Artifact{"x": data}},
	})
	failed := &core.TaskRecord{Outputs: map[string]core.Artifact{}}
	rerun := f.run("rerun", map[string]*core.TaskRecord{
		"prep":  {Outputs: map[string]core.Artifact{"data": data}},
		"fit":   {Inputs: map[string]core.Artifact{"data": withSource(data, "step:prep.data")}, Outputs: map[string]core.Artifact{"model": modelB}},
		"other": {Outputs: map[string]core.Artifact{"model": modelC}},
		"gone":  failed,
	})
	failed.Status, failed.Error = core.StatusFailed, "exit status 1"

	rep := Compare(f.st, orig, rerun, CompareOptions{Tolerance: Tolerance{RTol: 1e-6}})
	want := map[string]Verdict{"prep": Reproduced, "fit": WithinTolerance, "other": Differs, "gone": Differs}
	for step, v := range want {
		if got := task(t, rep, step); got.Verdict != v {
			t.Errorf("%s: %q, want %q (%+v)", step, got.Verdict, v, got)
		}
	}
	if rep.Verdict != Differs || rep.FirstDifference != "gone" {
		t.Errorf("run verdict %q, first difference %q; want differs at gone", rep.Verdict, rep.FirstDifference)
	}
	other := task(t, rep, "other").Outputs[0]
	var files []string
	for _, fc := range other.Files {
		files = append(files, fileChangeWord(fc))
	}
	if strings.Join(files, "; ") != "- card.md; + notes.txt" {
		t.Errorf("other/model files: %q", files)
	}
	if gone := task(t, rep, "gone"); !strings.Contains(gone.Problem, "failed: exit status 1") || gone.Outputs[0].Details[0] != "only the original has it" {
		t.Errorf("gone: %+v", gone)
	}
	only := Compare(f.st, orig, rerun, CompareOptions{Steps: []string{"prep", "fit"}})
	if len(only.Tasks) != 2 || only.Verdict != Differs { // exact tolerance: 2.0000000001 differs
		t.Errorf("Compare of prep and fit without tolerance: %d tasks, %q", len(only.Tasks), only.Verdict)
	}
}

func withSource(a core.Artifact, src string) core.Artifact {
	a.Source = src
	return a
}
