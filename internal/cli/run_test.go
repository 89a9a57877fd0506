package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/query"
)

const pythonFlow = `flow: demo
seed: 7
params:
  scale: 3
steps:
  prepare:
    run: python3 prepare.py
    inputs:
      raw: data/numbers.txt
    outputs:
      doubled: doubled.txt
  train:
    run: python3 train.py
    inputs:
      nums: prepare.doubled
    outputs:
      model: {path: model/, kind: model}
`

var pythonFiles = map[string]string{
	"data/numbers.txt": "1\n2\n3\n",
	"prepare.py": `import os, random
nums = [int(x) for x in open(os.environ["LOCKSTEP_INPUT_RAW"])]
scale = int(os.environ["LOCKSTEP_PARAM_SCALE"])
with open(os.path.join(os.environ["LOCKSTEP_OUTPUT_DIR"], "doubled.txt"), "w") as f:
    for n in nums:
        f.write(f"{n * scale}\n")
print("seed", os.environ["LOCKSTEP_SEED"], "hashseed", os.environ["PYTHONHASHSEED"])
`,
	"train.py": `import json, os, random
random.seed(int(os.environ["LOCKSTEP_SEED"]))
nums = [int(x) for x in open(os.environ["LOCKSTEP_INPUT_NUMS"])]
out = os.path.join(os.environ["LOCKSTEP_OUTPUT_DIR"], "model")
os.makedirs(out)
with open(os.path.join(out, "weights.json"), "w") as f:
    json.dump({"sum": sum(nums), "noise": random.random()}, f)
with open(os.environ["LOCKSTEP_METRICS"], "w") as f:
    json.dump({"loss": 0.25, "n": len(nums)}, f)
`,
}

func TestPythonFlowIsRecorded(t *testing.T) {
	p := newProject(t, pythonFlow, pythonFiles)
	r := p.mustRun(0, "run")
	if !strings.Contains(r.stderr, "prepare  │ seed 7 hashseed 7") {
		t.Errorf("step log not streamed with its prefix, or seed not injected:\n%s", r.stderr)
	}
	var show query.Showing
	p.jsonOf(&show, "show", "last")
	if show.Run.Status != core.StatusSucceeded || show.Run.Seed != 7 {
		t.Fatalf("run %s seed %d", show.Run.Status, show.Run.Seed)
	}
	prep := show.Tasks["prepare"]
	if got := prep.Inputs["raw"].Digest; got != core.DigestOf([]byte("1\n2\n3\n")) {
		t.Errorf("input digest %s is not the file's sha256", got)
	}
	if got := prep.Outputs["doubled"].Digest; got != core.DigestOf([]byte("3\n6\n9\n")) {
		t.Errorf("output digest %s is not the sha256 of what the step wrote", got)
	}
	train := show.Tasks["train"]
	if train.Outputs["model"].Kind != core.KindTree {
		t.Errorf("model output kind %q, want tree", train.Outputs["model"].Kind)
	}
	var metrics map[string]float64
	if err := json.Unmarshal(train.Metrics, &metrics); err != nil || metrics["loss"] != 0.25 || metrics["n"] != 3 {
		t.Errorf("metrics %s (%v)", train.Metrics, err)
	}
	var env capture.Environment
	if err := json.Unmarshal(show.Environments[train.Environment], &env); err != nil {
		t.Fatalf("environment %s: %v", train.Environment, err)
	}
	if env.Interpreter == nil || env.Interpreter.Kind != "python" || env.OS.ID == "" {
		t.Errorf("environment does not name the python interpreter: %+v", env.Interpreter)
	}

	// The output can be restored, and cat streams objects.
	dest := filepath.Join(t.TempDir(), "doubled.txt")
	p.mustRun(0, "get", "last", "prepare.doubled", dest)
	if b, _ := os.ReadFile(dest); string(b) != "3\n6\n9\n" {
		t.Errorf("restored %q", b)
	}
	if r := p.mustRun(0, "cat", prep.Outputs["doubled"].Digest.String()); r.stdout != "3\n6\n9\n" {
		t.Errorf("cat printed %q", r.stdout)
	}
	if r := p.run("get", "last", "prepare.doubled", dest); r.code != 2 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("get over an existing file: exit %d, %s", r.code, r.stderr)
	}
	if r := p.mustRun(0, "logs", "last", "prepare"); !strings.Contains(r.stdout, "seed 7") {
		t.Errorf("logs: %q", r.stdout)
	}
	if r := p.mustRun(0, "env", "last", "train"); !strings.Contains(r.stdout, "python") || !strings.Contains(r.stdout, "glibc") {
		t.Errorf("env: %s", r.stdout)
	}

	// Unchanged: every step is a cache hit pointing at the original task.
	p.mustRun(0, "run")
	var again query.Showing
	p.jsonOf(&again, "show", "last")
	for step, task := range again.Tasks {
		if task.Status != core.StatusCached || task.CachedFrom != show.Run.Tasks[step] {
			t.Errorf("second run: %s is %s from %s, want cached from %s", step, task.Status, task.CachedFrom, show.Run.Tasks[step])
		}
	}

	// A changed param re-runs the steps that see it.
	p.mustRun(0, "run", "--param", "scale=4")
	var third query.Showing
	p.jsonOf(&third, "show", "last")
	if third.Tasks["prepare"].Status != core.StatusSucceeded {
		t.Errorf("prepare after a param change: %s", third.Tasks["prepare"].Status)
	}
	if third.Run.Params["scale"] != float64(4) {
		t.Errorf("param recorded as %v", third.Run.Params["scale"])
	}
}

func TestCodeSnapshotRestoresUncommittedFiles(t *testing.T) {
	p := newProject(t, "flow: c\nsteps:\n  a:\n    run: cat notes.txt\n", map[string]string{
		"notes.txt": "draft\n", ".gitignore": "ignored.txt\n", "ignored.txt": "secret\n",
	})
	p.mustRun(0, "run")
	dest := filepath.Join(t.TempDir(), "code")
	p.mustRun(0, "get", "last", "code", dest)
	if b, _ := os.ReadFile(filepath.Join(dest, "notes.txt")); string(b) != "draft\n" {
		t.Errorf("notes.txt restored as %q", b)
	}
	if _, err := os.Stat(filepath.Join(dest, "ignored.txt")); err == nil {
		t.Errorf("a .gitignored file was snapshotted")
	}
}

func TestFailingStepStopsDependantsAndShowsItsLog(t *testing.T) {
	flow := `flow: f
steps:
  bad:
    run: echo starting; echo "it broke here" >&2; exit 3
    outputs: {x: x.txt}
  after:
    run: cat $LOCKSTEP_INPUT_X
    inputs: {x: bad.x}
  sibling:
    run: sleep 0.5; echo fine > $LOCKSTEP_OUTPUT_DIR/ok.txt
    outputs: {ok: ok.txt}
`
	p := newProject(t, flow, nil)
	r := p.mustRun(1, "run", "-j", "2")
	if !strings.Contains(r.stdout, "exit code 3") || !strings.Contains(r.stdout, "it broke here") {
		t.Errorf("the failure does not show the exit code and last log lines:\n%s", r.stdout)
	}
	p.wantStatuses(core.StatusFailed, map[string]string{"bad": core.StatusFailed, "after": core.StatusSkipped, "sibling": core.StatusSucceeded})
}

// wantStatuses fails the test unless the last run and its steps ended so.
func (p *project) wantStatuses(run string, steps map[string]string) {
	p.t.Helper()
	var show query.Showing
	p.jsonOf(&show, "show", "last")
	for step, status := range steps {
		if got := show.Tasks[step]; got == nil || got.Status != status {
			p.t.Errorf("%s: %+v, want %s", step, got, status)
		}
	}
	if show.Run.Status != run {
		p.t.Errorf("run status %s, want %s", show.Run.Status, run)
	}
}

// A step outside the sandbox has no read-only mount to stop it writing to
// its inputs: it must never reach the objects behind them, and a changed
// input fails the step.
func TestUnsandboxedStepCannotRewriteItsInputs(t *testing.T) {
	flow := `flow: w
steps:
  make:
    run: echo original > $LOCKSTEP_OUTPUT_DIR/x.txt
    outputs: {x: x.txt}
  tamper:
    sandbox: none
    run: echo X >> "$LOCKSTEP_INPUT_X"; echo done > $LOCKSTEP_OUTPUT_DIR/o.txt
    inputs: {x: make.x}
    outputs: {o: o.txt}
`
	p := newProject(t, flow, nil)
	r := p.mustRun(1, "run")
	if !strings.Contains(r.stdout, "input x") || !strings.Contains(r.stdout, "x.txt") || !strings.Contains(r.stdout, "changed") {
		t.Errorf("the failure does not name the changed input:\n%s", r.stdout)
	}
	d := core.DigestOf([]byte("original\n"))
	if r := p.mustRun(0, "cat", d.String()); r.stdout != "original\n" {
		t.Errorf("object of make.x now holds %q", r.stdout)
	}
	p.mustRun(0, "check")
}

func TestMissingOutputIsNamed(t *testing.T) {
	p := newProject(t, "flow: m\nsteps:\n  a:\n    run: echo hi > $LOCKSTEP_OUTPUT_DIR/wrong.txt\n    outputs: {result: result.txt}\n", nil)
	r := p.mustRun(1, "run")
	if !strings.Contains(r.stdout, "did not write output result") || !strings.Contains(r.stdout, "wrong.txt") {
		t.Errorf("message does not name the missing output and what was written:\n%s", r.stdout)
	}
}

func TestIndependentStepsRunInParallel(t *testing.T) {
	flow := `flow: par
steps:
  a: {run: "sleep 1"}
  b: {run: "sleep 1"}
`
	p := newProject(t, flow, nil)
	p.mustRun(0, "run", "-j", "2")
	var show query.Showing
	p.jsonOf(&show, "show", "last")
	a, b := show.Tasks["a"], show.Tasks["b"]
	if !a.Started.Before(b.Finished) || !b.Started.Before(a.Finished) {
		t.Errorf("steps did not overlap: a %v–%v, b %v–%v", a.Started, a.Finished, b.Started, b.Finished)
	}
	p.mustRun(0, "run", "-j", "1", "--no-cache")
	p.jsonOf(&show, "show", "last")
	a, b = show.Tasks["a"], show.Tasks["b"]
	if a.Started.Before(b.Finished) && b.Started.Before(a.Finished) {
		t.Errorf("with -j 1 steps overlapped")
	}
}

func TestBadFlowIsAUsageError(t *testing.T) {
	p := newProject(t, "flow: x\nsteps:\n  a:\n    run: true\n    ouputs: {o: o.txt}\n", nil)
	r := p.mustRun(2, "run")
	if !strings.Contains(r.stderr, "lockstep.yaml:5") || !strings.Contains(r.stderr, "outputs") {
		t.Errorf("error does not name the line and the fix: %s", r.stderr)
	}
	if r := p.run("run", "--param", "nope=1"); r.code != 2 {
		t.Errorf("unknown param: exit %d", r.code)
	}
	if r := p.run("show", "nosuchrun"); r.code != 2 {
		t.Errorf("unknown run: exit %d %s", r.code, r.stderr)
	}
}

func TestDebianPythonPackagesAreRecorded(t *testing.T) {
	versions, err := exec.Command("/usr/bin/python3", "-c", "import numpy, sklearn; print(numpy.__version__, sklearn.__version__)").Output()
	if err != nil {
		t.Skip("Debian's /usr/bin/python3 with python3-sklearn is not installed (apt-get install python3-sklearn)")
	}
	want := strings.Fields(string(versions))
	p := newProject(t, "flow: sk\nsteps:\n  fit:\n    run: /usr/bin/python3 fit.py\n    outputs: {coef: coef.json}\n", map[string]string{
		"fit.py": `import json, os
from sklearn.linear_model import LinearRegression
m = LinearRegression().fit([[0], [1], [2]], [1, 3, 5])
json.dump({"coef": round(float(m.coef_[0]), 6)}, open(os.path.join(os.environ["LOCKSTEP_OUTPUT_DIR"], "coef.json"), "w"))
`,
	})
	p.mustRun(0, "run")
	var envs map[string]capture.Environment
	p.jsonOf(&envs, "env", "last")
	got := map[string]string{}
	for _, pkg := range envs["fit"].Interpreter.Packages {
		got[pkg.Name] = pkg.Version
	}
	if got["numpy"] != want[0] || got["scikit-learn"] != want[1] {
		t.Errorf("recorded numpy %q scikit-learn %q, want %q %q", got["numpy"], got["scikit-learn"], want[0], want[1])
	}
	if r := p.mustRun(0, "cat", core.DigestOf([]byte(`{"coef": 2.0}`)).String()); r.stdout != `{"coef": 2.0}` {
		t.Errorf("coef.json: %q", r.stdout)
	}
}

func TestResumeReusesSucceededSteps(t *testing.T) {
	flow := `flow: r
steps:
  first:
    run: echo one > $LOCKSTEP_OUTPUT_DIR/one.txt
    outputs: {one: one.txt}
  second:
    run: test -f fixed && cat $LOCKSTEP_INPUT_ONE > $LOCKSTEP_OUTPUT_DIR/two.txt
    inputs: {one: first.one}
    outputs: {two: two.txt}
`
	p := newProject(t, flow, nil)
	p.mustRun(1, "run", "--seed", "11")
	var failed query.Showing
	p.jsonOf(&failed, "show", "last")
	// Fixing the code changes the snapshot: a plain run would redo "first";
	// resume reuses it.
	os.WriteFile(filepath.Join(p.dir, "fixed"), nil, 0o644)
	p.mustRun(0, "resume")
	var resumed query.Showing
	p.jsonOf(&resumed, "show", "last")
	if resumed.Run.ResumedFrom != failed.Run.ID || resumed.Run.Seed != 11 {
		t.Errorf("resumed run: from %q seed %d", resumed.Run.ResumedFrom, resumed.Run.Seed)
	}
	if f := resumed.Tasks["first"]; f.Status != core.StatusCached || f.CachedFrom != failed.Run.Tasks["first"] {
		t.Errorf("first: %s from %s, want cached from %s", f.Status, f.CachedFrom, failed.Run.Tasks["first"])
	}
	if s := resumed.Tasks["second"]; s.Status != core.StatusSucceeded {
		t.Errorf("second: %s %s", s.Status, s.Error)
	}
	if r := p.run("resume"); r.code != 2 || !strings.Contains(r.stderr, "succeeded") {
		t.Errorf("resuming a succeeded run: exit %d %s", r.code, r.stderr)
	}
}

func TestArchivedEnvironmentIsRestored(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("needs Debian's /usr/bin/python3")
	}
	site := t.TempDir()
	writePkg := func(version string) {
		os.MkdirAll(filepath.Join(site, "mypkg"), 0o755)
		os.WriteFile(filepath.Join(site, "mypkg", "__init__.py"), []byte("VERSION = '"+version+"'\n"), 0o644)
	}
	writePkg("1.0")
	flow := "flow: arch\nenvironment:\n  paths: [" + site + "]\nsteps:\n  use:\n    run: /usr/bin/python3 -c 'import mypkg; print(mypkg.VERSION)' > $LOCKSTEP_OUTPUT_DIR/v.txt\n    outputs: {v: v.txt}\n"
	p := newProject(t, flow, nil)
	p.environ = append(p.environ, "PYTHONPATH="+site)
	p.mustRun(0, "run", "--archive-env")
	var orig query.Showing
	p.jsonOf(&orig, "show", "last")
	if d := orig.Tasks["use"].Toolchain[site]; d == "" {
		t.Fatalf("the environment path was not archived: %v", orig.Tasks["use"].Toolchain)
	}
	// The host changes: the package moves on to 2.0.
	writePkg("2.0")
	p.mustRun(0, "run", "--no-cache")
	if r := p.mustRun(0, "cat", mustOutput(t, p, "use", "v").String()); r.stdout != "2.0\n" {
		t.Fatalf("without the archive the step sees %q", r.stdout)
	}
	p.mustRun(0, "run", "--no-cache", "--restore-env-from", orig.Run.ID)
	if got := mustOutput(t, p, "use", "v"); got != orig.Tasks["use"].Outputs["v"].Digest {
		t.Errorf("with the archive restored the output differs: %s vs %s", got, orig.Tasks["use"].Outputs["v"].Digest)
	}
	if r := p.run("run", "--no-cache", "--sandbox", "none", "--restore-env-from", orig.Run.ID); r.code == 0 {
		t.Errorf("restoring without the sandbox should be refused")
	}
	// reproduce: differs on the changed host, reproduced with --restore-env.
	if r := p.mustRun(1, "reproduce", orig.Run.ID); !strings.Contains(r.stdout, "differs") {
		t.Errorf("reproduce on the changed host:\n%s", r.stdout)
	}
	if r := p.mustRun(0, "reproduce", orig.Run.ID, "--restore-env"); !strings.Contains(r.stdout, "reproduced") {
		t.Errorf("reproduce --restore-env:\n%s", r.stdout)
	}
}

// mustOutput returns the digest of STEP.OUTPUT in the last run.
func mustOutput(t *testing.T, p *project, step, output string) core.Digest {
	t.Helper()
	var show query.Showing
	p.jsonOf(&show, "show", "last")
	return show.Tasks[step].Outputs[output].Digest
}

func TestChangingOneInputRerunsOnlyItsSteps(t *testing.T) {
	flow := `flow: partial
code: {include: ["lockstep.yaml"]}
steps:
  a:
    run: cat $LOCKSTEP_INPUT_X > $LOCKSTEP_OUTPUT_DIR/a.txt
    inputs: {x: x.txt}
    outputs: {a: a.txt}
  after_a:
    run: cat $LOCKSTEP_INPUT_A > $LOCKSTEP_OUTPUT_DIR/b.txt
    inputs: {a: a.a}
    outputs: {b: b.txt}
  other:
    run: cat $LOCKSTEP_INPUT_Y > $LOCKSTEP_OUTPUT_DIR/c.txt
    inputs: {y: y.txt}
    outputs: {c: c.txt}
`
	p := newProject(t, flow, map[string]string{"x.txt": "1\n", "y.txt": "2\n"})
	p.mustRun(0, "run")
	os.WriteFile(filepath.Join(p.dir, "x.txt"), []byte("changed\n"), 0o644)
	p.mustRun(0, "run")
	var show query.Showing
	p.jsonOf(&show, "show", "last")
	want := map[string]string{"a": core.StatusSucceeded, "after_a": core.StatusSucceeded, "other": core.StatusCached}
	for step, status := range want {
		if got := show.Tasks[step].Status; got != status {
			t.Errorf("%s: %s, want %s", step, got, status)
		}
	}
}

func TestSeedlessFlowReusesItsSeed(t *testing.T) {
	p := newProject(t, "flow: s\nsteps:\n  a:\n    run: echo $LOCKSTEP_SEED > $LOCKSTEP_OUTPUT_DIR/s.txt\n    outputs: {s: s.txt}\n", nil)
	var first, second, fresh query.Showing
	p.mustRun(0, "run")
	p.jsonOf(&first, "show", "last")
	p.mustRun(0, "run")
	p.jsonOf(&second, "show", "last")
	if second.Run.Seed != first.Run.Seed || second.Tasks["a"].Status != core.StatusCached {
		t.Errorf("rerun: seed %d (first %d), step %s: want the same seed and a cache hit", second.Run.Seed, first.Run.Seed, second.Tasks["a"].Status)
	}
	p.mustRun(0, "run", "--fresh-seed")
	p.jsonOf(&fresh, "show", "last")
	if fresh.Run.Seed == first.Run.Seed || fresh.Tasks["a"].Status != core.StatusSucceeded {
		t.Errorf("--fresh-seed: seed %d, step %s", fresh.Run.Seed, fresh.Tasks["a"].Status)
	}
}

func TestTimeLimitStopsAStep(t *testing.T) {
	p := newProject(t, "flow: t\nsteps:\n  slow:\n    run: sleep 30\n    resources: {time: 1s}\n", nil)
	r := p.mustRun(1, "run")
	if !strings.Contains(r.stdout, "ran out of its time limit") {
		t.Errorf("a step over its time limit:\n%s", r.stdout)
	}
}

func TestKeepGoingRunsIndependentSteps(t *testing.T) {
	// One job at a time: without --keep-going the run stops at bad and
	// never starts later, which does not depend on it.
	flow := `flow: f
steps:
  bad:
    run: exit 3
    outputs: {x: x.txt}
  after:
    run: cat $LOCKSTEP_INPUT_X
    inputs: {x: bad.x}
  later:
    run: echo fine > $LOCKSTEP_OUTPUT_DIR/ok.txt
    outputs: {ok: ok.txt}
`
	p := newProject(t, flow, nil)
	r := p.mustRun(1, "run", "-j", "1")
	var show query.Showing
	p.jsonOf(&show, "show", "last")
	if got := show.Tasks["later"]; got == nil || got.Status != core.StatusSkipped || !strings.Contains(got.Error, "--keep-going") {
		t.Fatalf("without --keep-going: later %+v, want skipped with a hint", got)
	}
	if !strings.Contains(r.stdout, "after skipped: needs bad, which failed") {
		t.Errorf("the summary does not say which steps were skipped and why:\n%s", r.stdout)
	}

	r = p.mustRun(1, "run", "-j", "1", "--keep-going")
	p.wantStatuses(core.StatusFailed, map[string]string{"bad": core.StatusFailed, "after": core.StatusSkipped, "later": core.StatusSucceeded})
	if !strings.Contains(r.stdout, "after skipped: needs bad, which failed") {
		t.Errorf("--keep-going summary:\n%s", r.stdout)
	}
}

func TestHomeConfigSharesOneStoreAndCatalog(t *testing.T) {
	shared := t.TempDir()
	flow := "flow: s\nsteps:\n  a:\n    run: echo shared > $LOCKSTEP_OUTPUT_DIR/o.txt\n    outputs: {o: o.txt}\n"
	p := newProject(t, flow, nil)
	storeURL, catalogURL := "file://"+filepath.Join(shared, "objects"), "sqlite://"+filepath.Join(shared, "catalog.db")
	r := p.mustRun(0, "init", "--store", storeURL, "--catalog", catalogURL)
	if !strings.Contains(r.stdout, "store   "+storeURL) {
		t.Errorf("init does not say where the store is:\n%s", r.stdout)
	}
	p.mustRun(0, "run")
	if _, err := os.Stat(filepath.Join(p.dir, ".lockstep", "catalog.db")); err == nil {
		t.Error("a local catalog was made although config.yaml names another")
	}
	// Another project, its own home, pointed at the same store and catalog
	// by the environment, sees the run and its output.
	q := newProject(t, flow, nil)
	q.environ = append(q.environ, "LOCKSTEP_STORE="+storeURL, "LOCKSTEP_CATALOG="+catalogURL)
	var runs []query.RunListing
	q.jsonOf(&runs, "runs")
	if len(runs) != 1 {
		t.Fatalf("the second home lists %d runs, want the first project's", len(runs))
	}
	if out := q.mustRun(0, "cat", core.DigestOf([]byte("shared\n")).String()); out.stdout != "shared\n" {
		t.Errorf("cat through the shared store: %q", out.stdout)
	}
	q.environ = append(q.environ, "LOCKSTEP_STORE=gopher://nowhere")
	if r := q.run("runs"); r.code == 0 || !strings.Contains(r.stderr, `unknown scheme "gopher"`) {
		t.Errorf("an unknown scheme: exit %d\n%s", r.code, r.stderr)
	}
	if r := p.run("init", "--store", "file:///elsewhere"); r.code != 2 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("init --store on an existing home: exit %d\n%s", r.code, r.stderr)
	}
}

func TestBackendIsChosenByFlagThenConfig(t *testing.T) {
	p := newProject(t, "flow: b\nsteps:\n  a: {run: 'true'}\n", nil)
	p.mustRun(0, "init")
	if r := p.run("run", "--on", "nosuch"); r.code != 2 || !strings.Contains(r.stderr, "nosuch") || !strings.Contains(r.stderr, "local") {
		t.Errorf("run --on nosuch: exit %d, want 2 naming the known backends\n%s", r.code, r.stderr)
	}
	cfg := filepath.Join(p.dir, ".lockstep", "config.yaml")
	if err := os.WriteFile(cfg, []byte("backend: elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := p.run("run"); r.code != 2 || !strings.Contains(r.stderr, "elsewhere") {
		t.Errorf("backend: elsewhere in config.yaml: exit %d, want 2 naming it\n%s", r.code, r.stderr)
	}
	p.mustRun(0, "run", "--on", "local") // the flag wins over the config
	if err := os.WriteFile(cfg, []byte("backend: local\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.mustRun(0, "run")
}

func TestOutOfRangeFlagsAndUnknownCommandsAreUsageErrors(t *testing.T) {
	p := newProject(t, "flow: f\nsteps:\n  a: {run: 'true'}\n", nil)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--seed", "-1"}, "want an integer from 0 to 4294967295"},
		{[]string{"run", "--seed", "4294967296"}, "want an integer from 0 to 4294967295"},
		{[]string{"run", "-j", "-2"}, "--jobs -2: want 0 or more"},
		{[]string{"gc", "--keep-last", "-1"}, "--keep-last -1: want 0 or more"},
		{[]string{"runs", "-n", "-5"}, "--limit -5: want 0 or more"},
		{[]string{"rnu"}, `unknown command "rnu" (did you mean "run"?)`},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		r := p.run(c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("lockstep %s: exit %d, want 2 saying %q\n%s", strings.Join(c.args, " "), r.code, c.want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(p.dir, ".lockstep")); err == nil {
		t.Error("a refused command made a home")
	}
	if r := p.run(); r.code != 0 || !strings.Contains(r.stdout, "Available Commands") {
		t.Errorf("lockstep alone: exit %d, want the help\n%s", r.code, r.stdout)
	}
}
