package reproduce

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/engine"
)

// driftFlow reports a loss that moves by 1e-9 between runs: the step reads
// a counter from a file outside the code.
const driftFlow = `flow: drift
seed: 1
sandbox: none
steps:
  fit:
    run: /usr/bin/python3 fit.py
    outputs:
      metrics: metrics.json
      table: table.csv
    compare:
      COMPARE
`

const driftScript = `import os, json
n = int(open(COUNTER).read())
loss = 0.25 + n * 1e-9
doc = {"loss": loss, "epochs": 3}
json.dump(doc, open(os.environ["LOCKSTEP_OUTPUT_DIR"] + "/metrics.json", "w"))
json.dump(doc, open(os.environ["LOCKSTEP_METRICS"], "w"))
open(os.environ["LOCKSTEP_OUTPUT_DIR"] + "/table.csv", "w").write("epoch,loss\n1,0.5\n2,%r\n" % loss)
`

func driftProject(t *testing.T, compare string) (*project, string) {
	counter := filepath.Join(t.TempDir(), "counter")
	if err := os.WriteFile(counter, []byte("0"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := newProject(t, map[string]string{
		"lockstep.yaml": strings.Replace(driftFlow, "COMPARE", compare, 1),
		"fit.py":        strings.Replace(driftScript, "COUNTER", `"`+counter+`"`, 1),
	})
	return p, counter
}

func TestTolerance(t *testing.T) {
	t.Parallel()
	needPython(t)
	cases := []struct {
		name    string
		compare string // the step's compare: entries
		args    []string
		want    Verdict
		code    int
	}{
		{"exact by default", "{}", nil, Differs, 1},
		{"rtol flag", "{}", []string{"--rtol", "1e-6"}, WithinTolerance, 0},
		{"atol flag too small", "{}", []string{"--atol", "1e-12"}, Differs, 1},
		{"compare entries in the flow", "{metrics.json: {rtol: 1e-6}, table: {atol: 1e-8}, metrics: {rtol: 1e-6}}", nil, WithinTolerance, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, counter := driftProject(t, c.compare)
			orig := p.run(engine.Options{})
			if err := os.WriteFile(counter, []byte("1"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out := p.cli(append([]string{"reproduce", orig.Record.ID}, c.args...)...)
			if code != c.code || !strings.Contains(out, "vs ") || !strings.Contains(out, ": "+string(c.want)+"\n") {
				t.Fatalf("lockstep reproduce %s: exit %d, want %d and verdict %q\n%s", strings.Join(c.args, " "), code, c.code, c.want, out)
			}
			if c.want == WithinTolerance {
				for _, want := range []string{"loss: 0.25 -> 0.250000001 (+1e-09, within tolerance)", `row 3, column loss: "0.25" -> "0.250000001" (within tolerance)`} {
					if !strings.Contains(out, want) {
						t.Errorf("output lacks %q:\n%s", want, out)
					}
				}
			}
		})
	}
}
