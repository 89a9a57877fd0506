package flow

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// diamond is a flow whose steps are declared out of order:
// fetch -> (clean, stats) -> train -> report, plus a lone lint step.
const diamond = `
flow: diamond
steps:
  report:
    run: x
    inputs: {m: train.model, s: stats.out}
  train:
    run: x
    inputs: {c: clean.out}
    needs: [stats]
    outputs: {model: m/}
  stats:
    run: x
    inputs: {f: fetch.out}
    outputs: {out: s.json}
  lint:
    run: x
  clean:
    run: x
    inputs: {f: fetch.out, again: fetch.out}
    outputs: {out: c.csv}
  fetch:
    run: x
    outputs: {out: raw/}
`

func parseDiamond(t *testing.T) *Flow {
	t.Helper()
	f, err := Parse("lockstep.yaml", flowText(diamond), "")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestOrder(t *testing.T) {
	f := parseDiamond(t)
	want := []string{"fetch", "clean", "lint", "stats", "train", "report"}
	for i := 0; i < 5; i++ { // map iteration must not leak into the order
		if got := f.Order(); !reflect.DeepEqual(got, want) {
			t.Fatalf("Order() = %v, want %v", got, want)
		}
	}
}

func TestDeps(t *testing.T) {
	f := parseDiamond(t)
	tests := map[string][]string{
		"report":  {"stats", "train"},
		"train":   {"clean", "stats"},
		"clean":   {"fetch"},
		"fetch":   nil,
		"missing": nil,
	}
	for step, want := range tests {
		if got := f.Deps(step); !reflect.DeepEqual(got, want) {
			t.Errorf("Deps(%q) = %v, want %v", step, got, want)
		}
	}
}

func TestSelect(t *testing.T) {
	f := parseDiamond(t)
	tests := []struct {
		steps []string
		want  []string
	}{
		{nil, []string{"fetch", "clean", "lint", "stats", "train", "report"}},
		{[]string{"fetch"}, []string{"fetch"}},
		{[]string{"train"}, []string{"fetch", "clean", "stats", "train"}},
		{[]string{"lint", "clean"}, []string{"fetch", "clean", "lint"}},
		{[]string{"report", "report"}, []string{"fetch", "clean", "stats", "train", "report"}},
	}
	for _, tc := range tests {
		got, err := f.Select(tc.steps)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Select(%v) = %v, %v; want %v", tc.steps, got, err, tc.want)
		}
	}
}

func TestSelectUnknown(t *testing.T) {
	f := parseDiamond(t)
	for name, want := range map[string]string{
		"trian": `lockstep.yaml: unknown step "trian" (did you mean "train"?)`,
		"zzz":   `lockstep.yaml: unknown step "zzz" (steps are: clean, fetch, lint, report, stats, train)`,
	} {
		_, err := f.Select([]string{"fetch", name})
		if !errors.Is(err, ErrUnknownStep) {
			t.Errorf("Select(%q) error %v, want ErrUnknownStep", name, err)
		} else if err.Error() != want {
			t.Errorf("Select(%q) error:\n got %s\nwant %s", name, err, want)
		}
	}
}

// BenchmarkOrder orders a chain of 1000 steps declared in reverse.
func BenchmarkOrder(b *testing.B) {
	var src strings.Builder
	src.WriteString("flow: chain\nsteps:\n")
	for i := 999; i >= 0; i-- {
		fmt.Fprintf(&src, "  s%d:\n    run: x\n    outputs: {o: o}\n", i)
		if i > 0 {
			fmt.Fprintf(&src, "    inputs: {i: s%d.o}\n", i-1)
		}
	}
	f, err := Parse("lockstep.yaml", []byte(src.String()), "")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if got := f.Order(); len(got) != 1000 || got[0] != "s0" {
			b.Fatalf("Order() = %d steps starting %v", len(got), got[:1])
		}
	}
}
