package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const echoFlow = `flow: e
seed: 3
params: {n: 4}
steps:
  say:
    run: echo "n=$LOCKSTEP_PARAM_N <ok>" && echo warn >&2 && printf '%s' $LOCKSTEP_PARAM_N > $LOCKSTEP_OUTPUT_DIR/n.txt
    sandbox: none
    outputs:
      n: n.txt
`

func TestDiffExitsLikeDiff(t *testing.T) {
	p := newProject(t, echoFlow, nil)
	p.mustRun(0, "run")
	var runs []struct{ ID string }
	p.jsonOf(&runs, "runs")
	first := runs[0].ID
	p.mustRun(0, "diff", first, first)

	// Only the code differs: the outputs are the same, the runs are not.
	os.WriteFile(filepath.Join(p.dir, "NOTES.md"), []byte("notes\n"), 0o644)
	p.mustRun(0, "run")
	if r := p.mustRun(1, "diff", first, "last"); !strings.Contains(r.stdout, "NOTES.md") || !strings.Contains(r.stderr, "differ") {
		t.Errorf("runs differing in code only:\n%s%s", r.stdout, r.stderr)
	}
	p.mustRun(0, "run", "--param", "n=5")
	p.mustRun(1, "diff", first, "last")
}

func TestLogsJSON(t *testing.T) {
	p := newProject(t, echoFlow, nil)
	p.mustRun(0, "run")
	var lines []struct{ Step, Stream, Line string }
	r := p.mustRun(0, "logs", "last", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &lines); err != nil {
		t.Fatalf("logs --json is not JSON: %v\n%s", err, r.stdout)
	}
	want := []struct{ Step, Stream, Line string }{{"say", "stdout", "n=4 <ok>"}, {"say", "stderr", "warn"}}
	if len(lines) != len(want) || lines[0] != want[0] || lines[1] != want[1] {
		t.Errorf("logs --json = %+v, want %+v", lines, want)
	}
	if r := p.mustRun(0, "logs", "last", "say", "--stream", "stderr", "--json"); strings.TrimSpace(r.stdout) != `[
  {"step":"say","stream":"stderr","line":"warn"}
]` {
		t.Errorf("logs --stream stderr --json:\n%s", r.stdout)
	}
}
