package flow

import (
	"errors"
	"fmt"
	"gopkg.in/yaml.v3"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must not panic, must either
// return a flow or an ErrorList of located errors, and a flow it returns
// must order every step.
func FuzzParse(f *testing.F) {
	for _, tc := range invalidFlows {
		f.Add(flowText(tc.yaml))
	}
	f.Add(flowText(diamond))
	f.Add(Template("fuzz"))
	if src, err := os.ReadFile(filepath.Join("testdata", "iris", "lockstep.yaml")); err == nil {
		f.Add(src)
	}
	dir := project(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := Parse("lockstep.yaml", data, dir)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %v is not a non-empty ErrorList", err)
			}
			for _, e := range list {
				if strings.Contains(e.Error(), "\n") || e.File != "lockstep.yaml" {
					t.Fatalf("error %q is not one line of lockstep.yaml", e.Error())
				}
			}
			return
		}
		if got := len(fl.Order()); got != len(fl.Steps) {
			t.Fatalf("Order() has %d steps, the flow %d", got, len(fl.Steps))
		}
		for name, s := range fl.Steps {
			if s.Run == "" || s.Name != name {
				t.Fatalf("step %q: name %q, run %q", name, s.Name, s.Run)
			}
		}
	})
}

// FuzzParseParam checks that ParseParam never panics and only returns
// valid names with string, int64, float64 or bool values.
func FuzzParseParam(f *testing.F) {
	for _, seed := range []string{"alpha=0.5", "n=100", "b=true", "s=hello", `q="1"`, "x", "=1", "l=[1]", "m=a: b", "z=.nan"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, kv string) {
		name, value, err := ParseParam(kv)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(kv, "\n") {
				t.Fatalf("error for %q spans lines: %v", kv, err)
			}
			return
		}
		if !validName(varNameRE, name) {
			t.Fatalf("ParseParam(%q) returned invalid name %q", kv, name)
		}
		switch value.(type) {
		case string, int64, float64, bool:
		default:
			t.Fatalf("ParseParam(%q) returned a %T", kv, value)
		}
	})
}

// chainFlow returns a flow of n steps, each reading the previous one's
// output, declared in reverse order.
func chainFlow(n int) []byte {
	var b strings.Builder
	b.WriteString("flow: chain\nparams: {lr: 0.1}\nsteps:\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "  s%05d:\n    run: python3 step.py --n %d\n    outputs: {o: out.csv, m: {path: model/, kind: model}}\n", i, i)
		if i > 0 {
			fmt.Fprintf(&b, "    inputs: {i: s%05d.o, d: data@v%d}\n    resources: {memory: 1GiB, time: 1h}\n", i-1, i)
		}
	}
	return []byte(b.String())
}

// BenchmarkParse parses a valid flow of 2000 steps (about 300 KB).
func BenchmarkParse(b *testing.B) {
	data := chainFlow(2000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("lockstep.yaml", data, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkYAMLOnly decodes the same flow as BenchmarkParse into a bare
// yaml.Node: the floor that validation is measured against.
func BenchmarkYAMLOnly(b *testing.B) {
	data := chainFlow(2000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseManyErrors parses a file near MaxSize where every step
// names steps that do not exist: the cost of reporting must stay bounded.
func BenchmarkParseManyErrors(b *testing.B) {
	var src strings.Builder
	src.WriteString("flow: bad\nsteps:\n")
	for i := 0; src.Len() < MaxSize-200; i++ {
		fmt.Fprintf(&src, "  s%05d: {run: x, needs: [t%05d, u%05d], inputs: {i: t%05d.o}}\n", i, i, i, i)
	}
	data := []byte(src.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("lockstep.yaml", data, ""); err == nil {
			b.Fatal("Parse succeeded")
		}
	}
}
