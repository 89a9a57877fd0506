package reproduce

import (
	"strconv"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/engine"
)

// sklearnFlow prepares data from a gitignored file, trains a logistic
// regression on a random split and evaluates it. The model is written as
// JSON coefficients, never a pickle.
const sklearnFlow = `flow: sk
SEED
sandbox: none
steps:
  prepare:
    run: /usr/bin/python3 prepare.py
    inputs:
      raw: data/raw.csv
    outputs:
      train: train.csv
      test: test.csv
  train:
    run: /usr/bin/python3 train.py
    inputs:
      train: prepare.train
    outputs:
      model: model/
  evaluate:
    run: /usr/bin/python3 evaluate.py
    inputs:
      model: train.model
      test: prepare.test
    outputs:
      metrics: metrics.json
`

var sklearnFiles = map[string]string{
	".gitignore": "data/\n",
	"prepare.py": `import os, numpy as np
from sklearn.model_selection import train_test_split
seed = int(os.environ["LOCKSTEP_SEED"])
data = np.loadtxt(os.environ["LOCKSTEP_INPUT_RAW"], delimiter=",", skiprows=1)
train, test = train_test_split(data, test_size=0.3, random_state=seed)
out = os.environ["LOCKSTEP_OUTPUT_DIR"]
np.savetxt(os.path.join(out, "train.csv"), train, delimiter=",", fmt="%.17g", header="a,b,c,d,label", comments="")
np.savetxt(os.path.join(out, "test.csv"), test, delimiter=",", fmt="%.17g", header="a,b,c,d,label", comments="")
`,
	"train.py": `import os, json, numpy as np
from sklearn.linear_model import SGDClassifier
seed = int(os.environ["LOCKSTEP_SEED"])
d = np.loadtxt(os.environ["LOCKSTEP_INPUT_TRAIN"], delimiter=",", skiprows=1)
m = SGDClassifier(random_state=seed, max_iter=50, tol=None).fit(d[:, :4], d[:, 4])
out = os.path.join(os.environ["LOCKSTEP_OUTPUT_DIR"], "model")
os.makedirs(out)
with open(os.path.join(out, "model.json"), "w") as f:
    json.dump({"coef": m.coef_.tolist(), "intercept": m.intercept_.tolist(), "classes": m.classes_.tolist()}, f)
with open(os.path.join(out, "weights.bin"), "wb") as f:
    f.write(m.coef_.astype("<f8").tobytes())
`,
	"evaluate.py": `import os, json, numpy as np
m = json.load(open(os.path.join(os.environ["LOCKSTEP_INPUT_MODEL"], "model.json")))
d = np.loadtxt(os.environ["LOCKSTEP_INPUT_TEST"], delimiter=",", skiprows=1)
scores = d[:, :4] @ np.array(m["coef"]).T + np.array(m["intercept"])
pred = np.array(m["classes"])[scores.argmax(axis=1)] if scores.shape[1] > 1 else (scores[:, 0] > 0).astype(float)
acc = float((pred == d[:, 4]).mean())
json.dump({"accuracy": acc}, open(os.path.join(os.environ["LOCKSTEP_OUTPUT_DIR"], "metrics.json"), "w"))
json.dump({"accuracy": acc}, open(os.environ["LOCKSTEP_METRICS"], "w"))
`,
}

// rawData is a small three-class data set, deterministic.
func rawData() string {
	var b strings.Builder
	b.WriteString("a,b,c,d,label\n")
	for i := 0; i < 90; i++ {
		c := i % 3
		x := float64(i%7)/7 + float64(c)
		b.WriteString(strings.Join([]string{ftoa(x), ftoa(x * 0.5), ftoa(float64(i%5) / 5), ftoa(float64(c) * 1.5), ftoa(float64(c))}, ","))
		b.WriteString("\n")
	}
	return b.String()
}

func sklearnProject(t *testing.T, seed string) *project {
	files := map[string]string{"lockstep.yaml": strings.Replace(sklearnFlow, "SEED", seed, 1), "data/raw.csv": rawData()}
	for k, v := range sklearnFiles {
		files[k] = v
	}
	return newProject(t, files)
}

func TestSklearnFlowReproducesBitIdentically(t *testing.T) {
	t.Parallel()
	needPython(t, "sklearn", "numpy")
	p := sklearnProject(t, "seed: 7")
	orig := p.run(engine.Options{})
	code, err := p.home.Store.GetTree(orig.Record.Code)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := code.Lookup("data/raw.csv"); ok {
		t.Fatal("the code snapshot holds data/raw.csv; the test needs it gitignored to check that inputs are restored")
	}

	res := p.reproduce(orig, Options{})
	rep := res.Report
	if rep.Verdict != Reproduced {
		t.Fatalf("verdict %q, want %q\n%s", rep.Verdict, Reproduced, explained(rep))
	}
	for _, step := range []string{"prepare", "train", "evaluate"} {
		if r := task(t, rep, step); r.Verdict != Reproduced || len(r.Outputs) == 0 {
			t.Errorf("%s: verdict %q with %d outputs, want reproduced", step, r.Verdict, len(r.Outputs))
		}
	}
	if got := res.Rerun.Record; got.Reproduces != orig.Record.ID || got.Code != orig.Record.Code || got.Seed != 7 {
		t.Errorf("rerun reproduces %q code %s seed %d, want %q %s 7", got.Reproduces, got.Code, got.Seed, orig.Record.ID, orig.Record.Code)
	}
	var stored Report
	if err := p.home.Store.GetJSON(res.ReportDigest, &stored); err != nil {
		t.Fatal(err)
	}
	if stored.Type != ReportType || stored.Original != orig.Record.ID || stored.Rerun != res.Rerun.Record.ID || len(stored.Tasks) != 3 {
		t.Errorf("stored report: type %q original %q rerun %q, %d tasks", stored.Type, stored.Original, stored.Rerun, len(stored.Tasks))
	}
	model := task(t, &stored, "train").Outputs[0]
	if model.Original != orig.Tasks["train"].Outputs["model"].Digest || model.Rerun != model.Original {
		t.Errorf("stored model verdict %+v, want both digests %s", model, orig.Tasks["train"].Outputs["model"].Digest)
	}
}

func TestFlowWithoutSeedReproducesWithTheRecordedSeed(t *testing.T) {
	t.Parallel()
	needPython(t, "sklearn", "numpy")
	p := sklearnProject(t, "")
	orig := p.run(engine.Options{})
	res := p.reproduce(orig, Options{Steps: []string{"train"}})
	if res.Report.Verdict != Reproduced {
		t.Fatalf("verdict %q, want reproduced\n%s", res.Report.Verdict, explained(res.Report))
	}
	if res.Rerun.Record.Seed != orig.Record.Seed {
		t.Errorf("rerun seed %d, original %d", res.Rerun.Record.Seed, orig.Record.Seed)
	}
	if _, ok := res.Rerun.Tasks["evaluate"]; ok || len(res.Report.Tasks) != 2 {
		t.Errorf("--step train reran %d tasks (%v), want prepare and train only", len(res.Report.Tasks), res.Rerun.Record.Tasks)
	}
	// A different seed gives a different model: the seed matters, so
	// reproducing it is what made the rerun identical.
	other := orig.Record.Seed + 1
	again := p.run(engine.Options{Seed: &other, Steps: []string{"train"}})
	if again.Tasks["train"].Outputs["model"].Digest == orig.Tasks["train"].Outputs["model"].Digest {
		t.Error("the model does not depend on the seed; the test proves nothing")
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
