package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const stdinFlow = `{"flow": "piped", "sandbox": "none", "steps": {"count": {"run": "wc -c < data.txt > $LOCKSTEP_OUTPUT_DIR/n.txt", "outputs": {"n": "n.txt"}}}}`

// TestRunFlowFromStdin: a flow piped in (JSON here) runs like a flow
// file, is recorded as stdin.flow.json and stored, so that reproduce reads
// it back with no flow file in the project.
func TestRunFlowFromStdin(t *testing.T) {
	p := newProject(t, "flow: unused\nsandbox: none\nsteps: {a: {run: 'true'}}\n", map[string]string{"data.txt": "twelve bytes"})
	r := p.runWithStdin(stdinFlow, nil, "run", "-f", "-")
	if r.code != 0 {
		t.Fatalf("run -f -: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var shown struct {
		Run struct {
			Flow     string `json:"flow"`
			FlowPath string `json:"flow_path"`
		} `json:"run"`
	}
	p.jsonOf(&shown, "show", "last")
	if shown.Run.Flow != "piped" || shown.Run.FlowPath != "stdin.flow.json" {
		t.Fatalf("show: flow %q at %q, want piped at stdin.flow.json", shown.Run.Flow, shown.Run.FlowPath)
	}
	if r := p.mustRun(0, "reproduce", "last"); !strings.Contains(r.stdout+r.stderr, "reproduced") {
		t.Errorf("reproduce of a piped flow:\n%s%s", r.stdout, r.stderr)
	}
	if r := p.runWithStdin("{", nil, "run", "-f", "-"); r.code != 2 || !strings.Contains(r.stderr, "stdin.flow.json") {
		t.Errorf("a bad piped flow: exit %d, want 2 naming stdin.flow.json:\n%s", r.code, r.stderr)
	}
}

// TestRunPythonFlowNeedsThePackage: a Python flow file is read through the
// lockstep Python package; without it, the error says how to install it.
func TestRunPythonFlowNeedsThePackage(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	if exec.Command(python, "-c", "import lockstep").Run() == nil {
		t.Skip("the lockstep Python package is installed here; the Python tests run flows through it")
	}
	p := newProject(t, "flow: unused\nsandbox: none\nsteps: {a: {run: 'true'}}\n", map[string]string{"train_flow.py": "print('hi')\n"})
	r := p.mustRun(2, "run", "train_flow.py")
	if !strings.Contains(r.stderr, "No module named lockstep") || !strings.Contains(r.stderr, "pip install --no-build-isolation python/") {
		t.Errorf("run of a Python flow without the package:\n%s", r.stderr)
	}
	p.mustRun(2, "run", "train_flow.py", "-f", filepath.Join(p.dir, "lockstep.yaml"))
}

const yamlTwin = `flow: twin
seed: 5
sandbox: none
params: {scale: 3}
steps:
  count:
    run: wc -c < data.txt > $LOCKSTEP_OUTPUT_DIR/n.txt
    inputs: {data: data.txt}
    outputs: {n: n.txt}
  double:
    run: echo $LOCKSTEP_PARAM_SCALE > $LOCKSTEP_OUTPUT_DIR/s.txt
    inputs: {n: count.n}
    outputs: {s: {path: s.txt, kind: file}}
`

const jsonTwin = `{"flow": "twin", "seed": 5, "sandbox": "none", "params": {"scale": 3},
 "steps": {
  "double": {"run": "echo $LOCKSTEP_PARAM_SCALE > $LOCKSTEP_OUTPUT_DIR/s.txt", "inputs": {"n": "count.n"}, "outputs": {"s": {"path": "s.txt", "kind": "file"}}},
  "count": {"run": "wc -c < data.txt > $LOCKSTEP_OUTPUT_DIR/n.txt", "inputs": {"data": "data.txt"}, "outputs": {"n": "n.txt"}}}}`

// TestFlowJSONAndYAMLShareKeys: the same flow as YAML and as JSON (the
// form the Python package prints) gives the same plan keys, so the second
// run is all cache hits.
func TestFlowJSONAndYAMLShareKeys(t *testing.T) {
	p := newProject(t, yamlTwin, map[string]string{"data.txt": "twelve bytes"})
	p.mustRun(0, "run")
	type shown struct {
		Tasks map[string]struct {
			PlanKey    string `json:"plan_key"`
			CachedFrom string `json:"cached_from"`
		} `json:"tasks"`
	}
	var fromYAML, fromJSON shown
	p.jsonOf(&fromYAML, "show", "last")
	if r := p.runWithStdin(jsonTwin, nil, "run", "-f", "-"); r.code != 0 {
		t.Fatalf("run of the JSON twin: exit %d\n%s", r.code, r.stderr)
	}
	p.jsonOf(&fromJSON, "show", "last")
	for _, step := range []string{"count", "double"} {
		y, j := fromYAML.Tasks[step], fromJSON.Tasks[step]
		if y.PlanKey == "" || y.PlanKey != j.PlanKey {
			t.Errorf("%s: plan key %q from YAML, %q from JSON", step, y.PlanKey, j.PlanKey)
		}
		if j.CachedFrom == "" {
			t.Errorf("%s: not a cache hit from the JSON twin", step)
		}
	}
}

// TestNotebookCheck: nb check passes a notebook run top to bottom, fails
// one whose cells ran out of order naming the cell, and refuses a file that
// is not a notebook.
func TestNotebookCheck(t *testing.T) {
	inOrder := `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
 {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": "x = 1"},
 {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [], "source": "print(x)"}]}`
	outOfOrder := strings.Replace(inOrder, `"execution_count": 1`, `"execution_count": 3`, 1)
	p := newProject(t, "flow: unused\nsandbox: none\nsteps: {a: {run: 'true'}}\n", map[string]string{
		"good.ipynb": inOrder, "bad.ipynb": outOfOrder, "notes.txt": "hello"})
	if r := p.mustRun(0, "nb", "check", "good.ipynb"); !strings.Contains(r.stdout, "2 of 2 code cells ran once each") {
		t.Errorf("nb check of a notebook run in order:\n%s", r.stdout)
	}
	if r := p.mustRun(1, "nb", "check", "good.ipynb", "bad.ipynb"); !strings.Contains(r.stdout, "cell 2 ran as [2], before a cell above it") {
		t.Errorf("nb check of a notebook run out of order:\n%s", r.stdout)
	}
	p.mustRun(2, "nb", "check", "notes.txt")
}

// TestOutOfOrderNotebookIsNoResult: a step whose output holds a notebook run
// out of order fails, naming the notebook and the cell; the same notebook
// run in order is recorded.
func TestOutOfOrderNotebookIsNoResult(t *testing.T) {
	cell := func(n int) string {
		return fmt.Sprintf(`{"cell_type": "code", "execution_count": %d, "metadata": {}, "outputs": [], "source": "x"}`, n)
	}
	notebook := func(counts ...int) string {
		var cs []string
		for _, n := range counts {
			cs = append(cs, cell(n))
		}
		return `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [` + strings.Join(cs, ",") + `]}`
	}
	flow := `flow: nb
sandbox: none
steps:
  report:
    run: mkdir $LOCKSTEP_OUTPUT_DIR/out && cp analysis.ipynb $LOCKSTEP_OUTPUT_DIR/out/analysis.ipynb && cp analysis.ipynb $LOCKSTEP_OUTPUT_DIR/single.ipynb
    inputs: {nb: analysis.ipynb}
    outputs: {folder: out/, single: single.ipynb}
`
	p := newProject(t, flow, map[string]string{"analysis.ipynb": notebook(1, 3, 2)})
	r := p.mustRun(1, "run")
	if !strings.Contains(r.stderr, "notebook analysis.ipynb: cell 2 ran as [3]") || !strings.Contains(r.stderr, "cannot be recorded as a result") {
		t.Errorf("a step writing an out-of-order notebook:\n%s", r.stderr)
	}
	os.WriteFile(filepath.Join(p.dir, "analysis.ipynb"), []byte(notebook(1, 2, 3)), 0o644)
	p.mustRun(0, "run")
}
