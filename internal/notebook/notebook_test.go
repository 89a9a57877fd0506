package notebook

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nb writes a notebook whose cells are given as "md", "code" (never run),
// "code:N" (run as [N], with an output) or "out" (outputs, no count).
func nb(cells ...string) []byte {
	var cs []map[string]any
	for _, c := range cells {
		switch {
		case c == "md":
			cs = append(cs, map[string]any{"cell_type": "markdown", "metadata": map[string]any{}, "source": "# title"})
		case c == "code":
			cs = append(cs, map[string]any{"cell_type": "code", "execution_count": nil, "metadata": map[string]any{}, "outputs": []any{}, "source": "x = 1"})
		case c == "out":
			cs = append(cs, map[string]any{"cell_type": "code", "execution_count": nil, "metadata": map[string]any{}, "outputs": []any{map[string]any{"output_type": "stream", "name": "stdout", "text": "1\n"}}, "source": "print(1)"})
		default:
			var n int
			json.Unmarshal([]byte(strings.TrimPrefix(c, "code:")), &n)
			cs = append(cs, map[string]any{"cell_type": "code", "execution_count": n, "metadata": map[string]any{}, "outputs": []any{map[string]any{"output_type": "stream", "name": "stdout", "text": "1\n"}}, "source": "print(1)"})
		}
	}
	b, _ := json.Marshal(map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{}, "cells": cs})
	return b
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cells []string
		want  []string // "CELL: text in the message"
	}{
		{"top to bottom", []string{"md", "code:1", "md", "code:2", "code:3"}, nil},
		{"trailing cells not run", []string{"code:1", "code:2", "code", "code"}, nil},
		{"no code", []string{"md"}, nil},
		{"out of order", []string{"code:1", "code:3", "code:2"}, []string{"2: [3] where [2] was expected", "3: ran as [2], before a cell above it"}},
		{"run twice", []string{"code:1", "code:3"}, []string{"2: 1 run(s) in between"}},
		{"not a fresh kernel", []string{"code:4", "code:5"}, []string{"1: ran as [4] where [1] was expected"}},
		{"skipped cell", []string{"code:1", "code", "code:2"}, []string{"2: was not run, but cell 3 after it was"}},
		{"pasted outputs", []string{"code:1", "out"}, []string{"2: has outputs but no execution count"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Check(bytes.NewReader(nb(tt.cells...)))
			if err != nil {
				t.Fatal(err)
			}
			if rep.InOrder != (len(tt.want) == 0) || len(rep.Problems) != len(tt.want) {
				t.Fatalf("problems %+v, want %q", rep.Problems, tt.want)
			}
			for i, w := range tt.want {
				cell, text, _ := strings.Cut(w, ": ")
				if got := rep.Problems[i]; cellString(got.Cell) != cell || !strings.Contains(got.Message, text) {
					t.Errorf("problem %d: cell %d %q, want cell %s saying %q", i, got.Cell, got.Message, cell, text)
				}
			}
		})
	}
}

func cellString(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestCheckRefusesWhatIsNoNotebook(t *testing.T) {
	for _, in := range []string{"", "{", `{"cells": []}`, `{"nbformat": 3, "worksheets": []}`, `[1, 2]`} {
		if _, err := Check(strings.NewReader(in)); err == nil {
			t.Errorf("%q: accepted as a notebook", in)
		}
	}
}

// TestNotebookRunByNbclient: a notebook executed top to bottom by nbclient
// (Jupyter's own executor, in a fresh kernel) passes; the same notebook with
// one cell run again fails.
func TestNotebookRunByNbclient(t *testing.T) {
	python := "/usr/bin/python3"
	if exec.Command(python, "-c", "import nbclient, nbformat, ipykernel").Run() != nil {
		t.Skip("nbclient and ipykernel are not installed; install them with: apt-get install python3-nbclient python3-ipykernel")
	}
	dir := t.TempDir()
	script := `
import nbformat, nbclient, sys
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("x = 2"), nbformat.v4.new_code_cell("print(x * 21)")]
nbclient.NotebookClient(nb, kernel_name="python3").execute()
nbformat.write(nb, sys.argv[1])
`
	path := filepath.Join(dir, "run.ipynb")
	if out, err := exec.Command(python, "-c", script, path).CombinedOutput(); err != nil {
		t.Fatalf("nbclient: %v\n%s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Check(f)
	if err != nil || !rep.InOrder || rep.Executed != 2 {
		t.Fatalf("a notebook nbclient ran top to bottom: %+v %v", rep, err)
	}
	b, _ := os.ReadFile(path)
	rerun := bytes.Replace(b, []byte(`"execution_count": 2`), []byte(`"execution_count": 3`), 1)
	if bytes.Equal(rerun, b) {
		t.Fatal("the executed notebook has no execution_count 2")
	}
	if rep, err := Check(bytes.NewReader(rerun)); err != nil || rep.InOrder {
		t.Fatalf("a cell run again: %+v %v", rep, err)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add(nb("md", "code:1", "code:2"))
	f.Add(nb("code:2", "code", "out"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := Check(bytes.NewReader(b))
		if err != nil {
			return
		}
		if rep.InOrder != (len(rep.Problems) == 0) || rep.Executed > rep.Code || rep.Code > rep.Cells {
			t.Fatalf("inconsistent report %+v", rep)
		}
		for _, p := range rep.Problems {
			if p.Cell < 1 || p.Cell > rep.Cells {
				t.Fatalf("problem names cell %d of %d", p.Cell, rep.Cells)
			}
		}
	})
}
