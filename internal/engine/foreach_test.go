package engine

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
)

const sweepFlow = `flow: sweep
seed: 5
sandbox: none
code: {include: ["*.sh"]}
steps:
  split:
    run: 'mkdir -p "$LOCKSTEP_OUTPUT_DIR/s/c" && echo a > "$LOCKSTEP_OUTPUT_DIR/s/a.csv" && echo b > "$LOCKSTEP_OUTPUT_DIR/s/b.csv" && echo c > "$LOCKSTEP_OUTPUT_DIR/s/c/x"'
    outputs: {shards: s/}
  train:
    foreach: {lr: [0.1, 0.01], seed: [1, 2]}
    run: 'echo "lr=$LOCKSTEP_ITEM_LR seed=$LOCKSTEP_ITEM_SEED run-seed=$LOCKSTEP_SEED" > "$LOCKSTEP_OUTPUT_DIR/m.txt"'
    outputs: {metrics: m.txt}
  clean:
    foreach: {shard: split.shards}
    run: 'cat "$LOCKSTEP_INPUT_SHARD" "$LOCKSTEP_INPUT_SHARD"/* 2>/dev/null > "$LOCKSTEP_OUTPUT_DIR/o.txt"; echo "$LOCKSTEP_ITEM_SHARD" >> "$LOCKSTEP_OUTPUT_DIR/o.txt"'
    outputs: {out: o.txt}
  pick:
    inputs: {m: train.metrics, c: clean.out}
    run: 'cat "$LOCKSTEP_INPUT_M"/*/m.txt "$LOCKSTEP_INPUT_C"/*/o.txt > "$LOCKSTEP_OUTPUT_DIR/all.txt"; cp "$LOCKSTEP_INPUT_M/items.json" "$LOCKSTEP_OUTPUT_DIR/items.json"'
    outputs: {all: all.txt, items: items.json}
`

func TestForeachRunsEachItemAsItsOwnTaskAndJoinsInItemOrder(t *testing.T) {
	p := newProject(t, sweepFlow, map[string]string{})
	rec := p.mustRun(Options{})
	if rec.Status != core.StatusSucceeded {
		t.Fatalf("run %s: %s", rec.Status, rec.Error)
	}
	all := p.read(p.task(rec, "pick").Outputs["all"].Digest)
	want := "lr=0.1 seed=1 run-seed=1\nlr=0.1 seed=2 run-seed=2\nlr=0.01 seed=1 run-seed=1\nlr=0.01 seed=2 run-seed=2\n" +
		"a\na.csv\nb\nb.csv\nc\nc\n"
	if all != want {
		t.Errorf("the joining step read:\n%s\nwant\n%s", all, want)
	}
	var items []struct {
		Task string
		Dir  string
		Item map[string]any
		Seed int64
	}
	if err := json.Unmarshal([]byte(p.read(p.task(rec, "pick").Outputs["items"].Digest)), &items); err != nil || len(items) != 4 ||
		items[1].Task != "train[lr=0.1,seed=2]" || items[1].Dir != "1-lr=0.1,seed=2" || items[1].Item["lr"] != 0.1 || items[1].Seed != 2 {
		t.Errorf("items.json: %+v %v", items, err)
	}
	join := p.task(rec, "train")
	if len(join.Items) != 4 || join.Items[3] != "train[lr=0.01,seed=2]" {
		t.Errorf("the step's record lists items %v", join.Items)
	}
	item := p.task(rec, "clean[shard=a.csv]")
	if item.Item["shard"] != "a.csv" || item.Inputs["shard"].Source != "step:split.shards/a.csv" || item.Seed == rec.Seed {
		t.Errorf("item record: item %v, input %+v, seed %d (run seed %d)", item.Item, item.Inputs["shard"], item.Seed, rec.Seed)
	}
	if other := p.task(rec, "clean[shard=b.csv]"); other.Seed == item.Seed {
		t.Errorf("two items drew the same seed %d", item.Seed)
	}

	// Each item has its own cache key: changing one value reruns only
	// the items that have it.
	p.write("lockstep.yaml", strings.Replace(sweepFlow, "seed: [1, 2]", "seed: [1, 3]", 1))
	before := p.b.execCount("train[lr=0.1,seed=1]")
	rec = p.mustRun(Options{})
	if rec.Status != core.StatusSucceeded {
		t.Fatalf("second run %s: %s", rec.Status, rec.Error)
	}
	if got := p.task(rec, "train[lr=0.1,seed=1]").Status; got != core.StatusCached {
		t.Errorf("an unchanged item was %s, want cached", got)
	}
	if got := p.task(rec, "train[lr=0.1,seed=3]").Status; got != core.StatusSucceeded {
		t.Errorf("a new item was %s, want succeeded", got)
	}
	if p.b.execCount("train[lr=0.1,seed=1]") != before+1 {
		t.Errorf("the cached item's executor ran %d times", p.b.execCount("train[lr=0.1,seed=1]")-before)
	}
}

// read returns the bytes of a stored object.
func (p *project) read(d core.Digest) string {
	p.t.Helper()
	r, err := p.h.Store.Open(d)
	if err != nil {
		p.t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		p.t.Fatal(err)
	}
	return string(b)
}

const failingSweep = `flow: fails
seed: 1
sandbox: none
steps:
  train:
    foreach: {n: [1, 2, 3, 4]}
    max-parallel: 1
    run: 'test "$LOCKSTEP_ITEM_N" != 2 && echo ok > "$LOCKSTEP_OUTPUT_DIR/o"'
    outputs: {o: o}
  after:
    inputs: {o: train.o}
    run: 'true'
`

func TestAFailedItemFailsTheStepAfterTheOthers(t *testing.T) {
	for _, c := range []struct {
		name     string
		failFast bool
		ran      []string // items that ran
		skipped  []string
	}{
		{"every item runs", false, []string{"train[n=1]", "train[n=2]", "train[n=3]", "train[n=4]"}, nil},
		{"fail-fast", true, []string{"train[n=1]", "train[n=2]"}, []string{"train[n=3]", "train[n=4]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := failingSweep
			if c.failFast {
				text = strings.Replace(text, "max-parallel: 1", "max-parallel: 1\n    fail-fast: true", 1)
			}
			p := newProject(t, text, map[string]string{})
			rec := p.mustRun(Options{})
			if rec.Status != core.StatusFailed {
				t.Fatalf("run %s, want failed", rec.Status)
			}
			join := p.task(rec, "train")
			if join.Status != core.StatusFailed || !strings.Contains(join.Error, "train[n=2] failed") || len(join.Outputs) != 0 {
				t.Errorf("the step's record: %s %q outputs %v", join.Status, join.Error, join.Outputs)
			}
			for _, name := range c.ran {
				if p.b.execCount(name) != 1 {
					t.Errorf("%s ran %d times, want once", name, p.b.execCount(name))
				}
			}
			for _, name := range c.skipped {
				if got := p.task(rec, name); got.Status != core.StatusSkipped || p.b.execCount(name) != 0 {
					t.Errorf("%s: %s, ran %d times; want skipped", name, got.Status, p.b.execCount(name))
				}
			}
			if got := p.task(rec, "after").Status; got != core.StatusSkipped {
				t.Errorf("the step after: %s, want skipped", got)
			}
		})
	}
}

func TestMaxParallelCapsItemsAtOnce(t *testing.T) {
	p := newProject(t, strings.Replace(fourSteps, "steps:\n", "steps:\n  w:\n    foreach: {i: [1, 2, 3, 4, 5, 6]}\n    max-parallel: 2\n    run: 'true'\n", 1), map[string]string{})
	p.b.slots, p.b.gate = 8, 8
	rec := p.mustRun(Options{Steps: []string{"w"}, NoCache: true})
	if rec.Status != core.StatusSucceeded {
		t.Fatalf("run %s: %s", rec.Status, rec.Error)
	}
	if p.b.peak != 2 {
		t.Errorf("at most %d items ran at once, want 2", p.b.peak)
	}
}

func TestForeachOverAnEmptyOutputFailsClearly(t *testing.T) {
	p := newProject(t, `flow: empty
seed: 1
sandbox: none
steps:
  split:
    run: 'mkdir "$LOCKSTEP_OUTPUT_DIR/s"'
    outputs: {shards: s/}
  each:
    foreach: {shard: split.shards}
    run: 'true'
`, map[string]string{})
	rec, err := p.run(context.Background(), Options{})
	want := "step each: foreach.shard: split.shards is empty, so the step has no items"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("run: %v, want %q", err, want)
	}
	if rec == nil || rec.Status != core.StatusFailed {
		t.Fatalf("run record: %+v", rec)
	}
	if got := p.task(rec, "each"); got.Status != core.StatusFailed || !strings.Contains(got.Error, "split.shards is empty") {
		t.Errorf("each: %s %q", got.Status, got.Error)
	}
}

func TestItemSeedIsStableAndRespectsAGivenSeed(t *testing.T) {
	it := flow.Item{Keys: []string{"lr"}, Values: []any{0.1}}
	a, b := ItemSeed(7, "t[lr=0.1]", it), ItemSeed(7, "t[lr=0.1]", it)
	if a != b || a == ItemSeed(8, "t[lr=0.1]", it) || a == ItemSeed(7, "t[lr=0.2]", it) || a < 0 || a > 1<<32-1 {
		t.Errorf("derived seeds: %d %d", a, b)
	}
	if s := ItemSeed(7, "t[seed=42]", flow.Item{Keys: []string{"seed"}, Values: []any{int64(42)}}); s != 42 {
		t.Errorf("an item's own seed: %d", s)
	}
}
