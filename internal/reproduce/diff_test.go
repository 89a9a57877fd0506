package reproduce

import (
	"encoding/json"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/engine"
)

// paramFlow writes its param and a seeded random number.
const paramFlow = `flow: params
seed: 1
sandbox: none
params:
  lr: 0.1
  epochs: 1000000
steps:
  fit:
    run: /usr/bin/python3 fit.py
    outputs:
      result: result.json
`

const paramScript = `import os, json, random
random.seed(int(os.environ["LOCKSTEP_SEED"]))
p = json.load(open(os.environ["LOCKSTEP_PARAMS"]))
doc = {"lr": p["lr"], "epochs": os.environ["LOCKSTEP_PARAM_EPOCHS"], "draw": random.random()}
json.dump(doc, open(os.environ["LOCKSTEP_OUTPUT_DIR"] + "/result.json", "w"))
json.dump({"score": p["lr"] * 10}, open(os.environ["LOCKSTEP_METRICS"], "w"))
`

func TestDiffShowsParamsSeedCodeAndOutputs(t *testing.T) {
	t.Parallel()
	needPython(t)
	p := newProject(t, map[string]string{"lockstep.yaml": paramFlow, "fit.py": paramScript, "notes.txt": "first\n"})
	a := p.run(engine.Options{})
	p.write(map[string]string{"notes.txt": "second\n", "extra.txt": "new\n"})
	seed := int64(2)
	b := p.run(engine.Options{Params: map[string]any{"lr": 0.5}, Seed: &seed})

	rep := Diff(p.home.Store, a, b, Tolerance{})
	text := explained(rep)
	for _, want := range []string{
		"code differs: + extra.txt, ~ notes.txt",
		"params differ: lr: 0.1 -> 0.5 (+0.4)",
		"seed differs: 1 -> 2",
		"fit: outputs differ; first difference; environment differs: seed 1 -> 2",
		"    lr: 0.1 -> 0.5 (+0.4)",
		"  metric score: 1.0 -> 5.0 (+4)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diff lacks %q:\n%s", want, text)
		}
	}
	if rep.Verdict != Differs || rep.FlowFile != nil {
		t.Errorf("verdict %q, flow file change %+v; want differs and the same flow file", rep.Verdict, rep.FlowFile)
	}
	code, out := p.cli("diff", a.Record.ID, b.Record.ID)
	if code != 1 || !strings.Contains(out, "params differ: lr: 0.1 -> 0.5") || !strings.Contains(out, "seed differs: 1 -> 2") {
		t.Errorf("lockstep diff: exit %d, want 1 with params and seed\n%s", code, out)
	}
	code, out, _ = p.exec("diff", a.Record.ID, b.Record.ID, "--json")
	var decoded Report
	if err := json.Unmarshal([]byte(out), &decoded); err != nil || code != 1 {
		t.Fatalf("lockstep diff --json: exit %d, %v\n%s", code, err, out)
	}
	if decoded.Seed == nil || decoded.Seed.To != "2" || len(decoded.Params) != 1 || decoded.Params[0].Name != "lr" || len(decoded.Code) != 2 {
		t.Errorf("lockstep diff --json: seed %+v params %+v code %+v", decoded.Seed, decoded.Params, decoded.Code)
	}
	if code, out := p.cli("diff", a.Record.ID, "nosuchrun"); code != 2 || !strings.Contains(out, "nosuchrun") {
		t.Errorf("lockstep diff with an unknown run: exit %d, want 2\n%s", code, out)
	}
}

func TestReproduceKeepsIntegerParams(t *testing.T) {
	t.Parallel()
	needPython(t)
	p := newProject(t, map[string]string{"lockstep.yaml": paramFlow, "fit.py": paramScript})
	orig := p.run(engine.Options{Params: map[string]any{"epochs": int64(2000000)}})
	rep := p.reproduce(orig, Options{}).Report
	if rep.Verdict != Reproduced {
		t.Fatalf("verdict %q, want reproduced (the step prints LOCKSTEP_PARAM_EPOCHS)\n%s", rep.Verdict, explained(rep))
	}
}
