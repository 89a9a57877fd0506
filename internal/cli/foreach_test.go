package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/query"
)

const sweepCLIFlow = `flow: sweep
seed: 3
code: {include: ["*.py"]}
steps:
  train:
    foreach: {lr: [0.1, 0.01], layers: [1, 2]}
    run: echo "lr=$LOCKSTEP_ITEM_LR layers=$LOCKSTEP_ITEM_LAYERS" > $LOCKSTEP_OUTPUT_DIR/m.txt
    outputs: {metrics: m.txt}
  pick:
    inputs: {all: train.metrics}
    run: cat $LOCKSTEP_INPUT_ALL/*/m.txt > $LOCKSTEP_OUTPUT_DIR/best.txt
    outputs: {best: best.txt}
`

// TestForeachItemsAreAddressableFromTheCLI runs a sweep and reaches one
// item by its name in get, show, why and diff.
func TestForeachItemsAreAddressableFromTheCLI(t *testing.T) {
	p := newProject(t, sweepCLIFlow, nil)
	r := p.mustRun(0, "run")
	for _, want := range []string{"train[lr=0.1,layers=1].metrics", "train[lr=0.01,layers=2].metrics", "train.metrics", "pick.best"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("run summary lacks %s:\n%s", want, r.stdout)
		}
	}
	dest := filepath.Join(t.TempDir(), "m.txt")
	p.mustRun(0, "get", "last", "train[lr=0.01,layers=2].metrics", dest)
	if b, _ := os.ReadFile(dest); string(b) != "lr=0.01 layers=2\n" {
		t.Errorf("get of an item's output: %q", b)
	}
	dest = filepath.Join(t.TempDir(), "best.txt")
	p.mustRun(0, "get", "last", "pick.best", dest)
	if b, _ := os.ReadFile(dest); string(b) != "lr=0.1 layers=1\nlr=0.1 layers=2\nlr=0.01 layers=1\nlr=0.01 layers=2\n" {
		t.Errorf("the joining step saw the items out of order: %q", b)
	}
	if r := p.mustRun(0, "show", "last"); !strings.Contains(r.stdout, "train[lr=0.1,layers=2]") {
		t.Errorf("show lacks the item:\n%s", r.stdout)
	}
	var runs []query.RunListing
	p.jsonOf(&runs, "runs")
	first := runs[0].ID
	if err := os.WriteFile(filepath.Join(p.dir, "lockstep.yaml"), []byte(strings.Replace(sweepCLIFlow, "layers: [1, 2]", "layers: [1, 3]", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustRun(0, "run")
	if r := p.mustRun(0, "why", "last", "train[lr=0.1,layers=1]"); !strings.Contains(r.stdout, "nothing in its key changed") {
		t.Errorf("why of an unchanged item:\n%s", r.stdout)
	}
	r = p.run("diff", first, "last")
	for _, want := range []string{"train[lr=0.1,layers=2]: only the first run has this step", "train[lr=0.1,layers=3]: only the second run has this step", "train[lr=0.1,layers=1]: reproduced"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, r.stdout)
		}
	}
}
