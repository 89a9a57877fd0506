package flow

import (
	"reflect"
	"strings"
	"testing"
)

const sweep = `flow: sweep
steps:
  split:
    run: mkdir -p $LOCKSTEP_OUTPUT_DIR/shards
    outputs: {shards: shards/, log: log.txt}
  train:
    foreach:
      lr: [0.001, 3e-4]
      seed: [1, 2, 3]
    max-parallel: 2
    fail-fast: true
    run: echo $LOCKSTEP_ITEM_LR $LOCKSTEP_ITEM_SEED > $LOCKSTEP_OUTPUT_DIR/m.txt
    outputs: {metrics: m.txt}
  clean:
    foreach: {shard: split.shards, mode: [fast]}
    run: cat $LOCKSTEP_INPUT_SHARD
`

func TestForeachGridExpandsInKeyOrder(t *testing.T) {
	f, err := Parse("lockstep.yaml", []byte(sweep), "")
	if err != nil {
		t.Fatal(err)
	}
	train := f.Steps["train"]
	if fe := train.Foreach; fe == nil || !fe.FailFast || fe.MaxParallel != 2 || len(fe.Keys) != 2 || fe.Keys[0].Name != "lr" {
		t.Fatalf("foreach: %+v", train.Foreach)
	}
	items, err := train.Items(nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range items {
		names = append(names, it.TaskName("train"))
	}
	want := []string{"train[lr=0.001,seed=1]", "train[lr=0.001,seed=2]", "train[lr=0.001,seed=3]",
		"train[lr=0.0003,seed=1]", "train[lr=0.0003,seed=2]", "train[lr=0.0003,seed=3]"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("items:\n%v\nwant\n%v", names, want)
	}
	if m := items[4].Map(); m["lr"] != 3e-4 || m["seed"] != int64(2) {
		t.Errorf("item 4: %v", m)
	}
}

func TestForeachOverAnOutputWaitsForItsEntries(t *testing.T) {
	f, err := Parse("lockstep.yaml", []byte(sweep), "")
	if err != nil {
		t.Fatal(err)
	}
	clean := f.Steps["clean"]
	if deps := f.Deps("clean"); !reflect.DeepEqual(deps, []string{"split"}) {
		t.Errorf("deps of clean: %v", deps)
	}
	if _, err := clean.Items(nil); err == nil || !strings.Contains(err.Error(), "not known yet") {
		t.Errorf("items before split ran: %v", err)
	}
	items, err := clean.Items(map[string][]string{"shard": {"a,b=c.csv", "d.csv"}})
	if err != nil || len(items) != 2 || items[0].Name() != "shard=a%2Cb%3Dc.csv,mode=fast" {
		t.Fatalf("items: %v %v", items, err)
	}
	if _, err := clean.Items(map[string][]string{"shard": nil}); err == nil || !strings.Contains(err.Error(), "split.shards is empty") {
		t.Errorf("empty output: %v", err)
	}
	clean.Foreach.MaxItems = 1
	if _, err := clean.Items(map[string][]string{"shard": {"a", "b"}}); err == nil || !strings.Contains(err.Error(), "more than 1 items") {
		t.Errorf("too many entries: %v", err)
	}
}

func TestForeachMistakesAreReportedWithTheirLine(t *testing.T) {
	for _, c := range []struct{ name, step, want string }{
		{"empty list", "foreach: {lr: []}", "steps.b.foreach.lr: the list is empty"},
		{"mapping value", "foreach: {lr: [{a: 1}]}", "steps.b.foreach.lr[0]: want a string, number or true/false"},
		{"no keys", "foreach: {}", "steps.b.foreach: foreach has no keys"},
		{"file output", "foreach: {x: a.file}", "a.file is a file, not a directory"},
		{"unknown output", "foreach: {x: a.nope}", `step "a" has no output "nope"`},
		{"own output", "foreach: {x: b.out}", "cannot fan out over its own output"},
		{"fail-fast alone", "fail-fast: true", "fail-fast applies only to a foreach step"},
		{"max-parallel zero", "foreach: {x: [1]}\n    max-parallel: 0", "0 is out of range"},
		{"too many", "foreach: {x: [1, 2], y: [1, 2]}\n    max-items: 3", "the grid has 4 items, more than 3"},
		{"bad key", "foreach: {1x: [1]}", `invalid name "1x"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := "flow: f\nsteps:\n  a:\n    run: 'true'\n    outputs: {file: f.txt, dir: d/}\n  b:\n    run: 'true'\n    outputs: {out: o/}\n    " + c.step + "\n"
			_, err := Parse("lockstep.yaml", []byte(text), "")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "lockstep.yaml:") {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}
