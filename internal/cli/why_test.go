package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/query"
)

func TestStepCodeNarrowsTheKeyAndWhySaysWhatChanged(t *testing.T) {
	flow := `flow: f
params: {n: 1}
steps:
  a:
    run: cat a.py > $LOCKSTEP_OUTPUT_DIR/out.txt; test ! -e NOTES.md
    outputs: {out: out.txt}
    code: {include: [a.py]}
  b:
    run: ls > $LOCKSTEP_OUTPUT_DIR/ls.txt
    outputs: {ls: ls.txt}
`
	p := newProject(t, flow, map[string]string{"a.py": "print(1)\n"})
	p.mustRun(0, "run")
	var first query.Showing
	p.jsonOf(&first, "show", "last")

	// An unrelated file re-runs only the step that sees the whole project;
	// the narrowed step does not even see it (its command checks).
	if err := os.WriteFile(filepath.Join(p.dir, "NOTES.md"), []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := p.mustRun(0, "run")
	var second query.Showing
	p.jsonOf(&second, "show", "last")
	if got := second.Tasks["a"].Status; got != core.StatusCached {
		t.Errorf("step a with code: [a.py] is %s after NOTES.md was added, want cached", got)
	}
	if got := second.Tasks["b"].Status; got != core.StatusSucceeded {
		t.Errorf("step b is %s after NOTES.md was added, want re-run", got)
	}
	if !strings.Contains(r.stdout, "b re-ran: + code NOTES.md") {
		t.Errorf("the summary does not say why b re-ran:\n%s", r.stdout)
	}
	if text := p.mustRun(0, "why", "last", "a").stdout; !strings.Contains(text, "a cached: nothing in its key changed") {
		t.Errorf("why last a does not say a was reused:\n%s", text)
	}

	// A change to a.py and a param: why names both, for a.
	if err := os.WriteFile(filepath.Join(p.dir, "a.py"), []byte("print(2)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustRun(0, "run", "--param", "n=2")
	var exps []engine.Explanation
	p.jsonOf(&exps, "why", "last", "a")
	if len(exps) != 1 || exps[0].Previous != second.Run.ID {
		t.Fatalf("why last a: %+v, want one explanation against run %s", exps, second.Run.ID)
	}
	fields := map[string]bool{}
	for _, c := range exps[0].Changes {
		fields[c.Field] = true
	}
	if !fields["code a.py"] || !fields["param n"] || len(fields) != 2 {
		t.Errorf("why last a: changes %+v, want exactly code a.py and param n", exps[0].Changes)
	}
	text := p.mustRun(0, "why", "last").stdout
	if !strings.Contains(text, "param n 1 -> 2") || !strings.Contains(text, "b succeeded; since run") {
		t.Errorf("why last does not show the param change:\n%s", text)
	}
	p.mustRun(2, "why", "last", "nosuch")
}
