package reproduce

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/engine"
)

// noisyFlow has a step that writes its own PID into its output: nothing a
// rerun can reproduce. The step after it reads that output.
const noisyFlow = `flow: noisy
seed: 3
sandbox: none
steps:
  prepare:
    run: /usr/bin/python3 -c 'import os; open(os.environ["LOCKSTEP_OUTPUT_DIR"]+"/rows.csv","w").write("x,y\n1,2\n3,4\n")'
    outputs:
      rows: rows.csv
  noisy:
    run: /usr/bin/python3 noisy.py
    inputs:
      rows: prepare.rows
    outputs:
      stats: stats.json
  report:
    run: /usr/bin/python3 -c 'import os, shutil; shutil.copy(os.environ["LOCKSTEP_INPUT_STATS"], os.environ["LOCKSTEP_OUTPUT_DIR"]+"/report.json")'
    inputs:
      stats: noisy.stats
    outputs:
      report: report.json
`

const noisyScript = `import os, json
rows = open(os.environ["LOCKSTEP_INPUT_ROWS"]).read().splitlines()
json.dump({"rows": len(rows) - 1, "pid": os.getpid()}, open(os.environ["LOCKSTEP_OUTPUT_DIR"] + "/stats.json", "w"))
`

func TestNondeterministicStepIsTheFirstDifference(t *testing.T) {
	t.Parallel()
	needPython(t)
	p := newProject(t, map[string]string{"lockstep.yaml": noisyFlow, "noisy.py": noisyScript})
	orig := p.run(engine.Options{})
	rep := p.reproduce(orig, Options{}).Report
	text := explained(rep)
	if rep.Verdict != Differs || rep.FirstDifference != "noisy" {
		t.Fatalf("verdict %q first difference %q, want differs at noisy\n%s", rep.Verdict, rep.FirstDifference, text)
	}
	if r := task(t, rep, "prepare"); r.Verdict != Reproduced {
		t.Errorf("prepare: %q, want reproduced", r.Verdict)
	}
	noisy := task(t, rep, "noisy")
	if !noisy.InputsMatch || len(noisy.ConsequenceOf) != 0 || len(noisy.Outputs) != 1 {
		t.Fatalf("noisy: %+v, want matching inputs, no cause, one output", noisy)
	}
	if d := noisy.Outputs[0].Details; len(d) != 1 || !strings.HasPrefix(d[0], "pid: ") {
		t.Errorf("noisy stats details %q, want the one changed key pid", d)
	}
	report := task(t, rep, "report")
	if report.InputsMatch || len(report.ConsequenceOf) != 1 || report.ConsequenceOf[0] != "noisy" || report.Verdict != Differs {
		t.Errorf("report: %+v, want a consequence of noisy", report)
	}
	for _, want := range []string{
		"noisy: outputs differ; first difference",
		"report: outputs differ; a consequence of noisy (its inputs differ)",
		"the difference starts at noisy",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, text)
		}
	}
	if code, out := p.cli("reproduce", orig.Record.ID); code != 1 || !strings.Contains(out, "the difference starts at noisy") {
		t.Errorf("lockstep reproduce: exit %d, want 1 with the explanation\n%s", code, out)
	}
	code, stdout, stderr := p.exec("reproduce", orig.Record.ID, "--json")
	var got struct {
		Report       Report `json:"report"`
		ReportDigest string `json:"report_digest"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != 1 {
		t.Fatalf("lockstep reproduce --json: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	if got.Report.FirstDifference != "noisy" || got.Report.Type != ReportType || !strings.HasPrefix(got.ReportDigest, "sha256:") {
		t.Errorf("lockstep reproduce --json: first difference %q, type %q, digest %q", got.Report.FirstDifference, got.Report.Type, got.ReportDigest)
	}
}

// pkgFlow imports a package found through PYTHONPATH, outside the code.
const pkgFlow = `flow: pkg
seed: 5
sandbox: none
steps:
  use:
    run: /usr/bin/python3 -c 'import os, mypkg; open(os.environ["LOCKSTEP_OUTPUT_DIR"]+"/v.txt","w").write(mypkg.VERSION)'
    outputs:
      version: v.txt
`

// installPkg writes mypkg at version into site, replacing what was there.
func installPkg(t *testing.T, site, version string) {
	t.Helper()
	if err := os.RemoveAll(site); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"mypkg/__init__.py":                        "VERSION = " + `"` + version + `"` + "\n",
		"mypkg-" + version + ".dist-info/METADATA": "Metadata-Version: 2.1\nName: mypkg\nVersion: " + version + "\n",
	}
	for name, body := range files {
		f := filepath.Join(site, name)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChangedPackageShowsInTheEnvironmentDiff(t *testing.T) {
	t.Parallel()
	needPython(t)
	p := newProject(t, map[string]string{"lockstep.yaml": pkgFlow})
	site := filepath.Join(t.TempDir(), "site")
	p.environ = append(p.environ, "PYTHONPATH="+site)
	installPkg(t, site, "1.0")
	orig := p.run(engine.Options{})
	installPkg(t, site, "2.0")
	rep := p.reproduce(orig, Options{}).Report
	text := explained(rep)
	if rep.Verdict != Differs || rep.FirstDifference != "use" {
		t.Fatalf("verdict %q first difference %q, want differs at use\n%s", rep.Verdict, rep.FirstDifference, text)
	}
	if !strings.Contains(text, "use: outputs differ; first difference; environment differs: mypkg 1.0 -> 2.0") {
		t.Errorf("explanation lacks the package change:\n%s", text)
	}
}

// copyFlow copies a gitignored data file.
const copyFlow = `flow: copy
sandbox: none
steps:
  copy:
    run: cp "$LOCKSTEP_INPUT_RAW" "$LOCKSTEP_OUTPUT_DIR/out.csv"
    inputs:
      raw: data/raw.csv
    outputs:
      out: out.csv
`

func TestMissingObjectsAreNamed(t *testing.T) {
	t.Parallel()
	p := newProject(t, map[string]string{"lockstep.yaml": copyFlow, ".gitignore": "data/\n", "data/raw.csv": "a\n1\n"})
	orig := p.run(engine.Options{})
	raw := orig.Tasks["copy"].Inputs["raw"].Digest
	if err := p.home.Store.Remove(raw); err != nil {
		t.Fatal(err)
	}
	_, err := Reproduce(context.Background(), p.home, orig, Options{Engine: p.engineOptions(nil)})
	var missing *MissingError
	if !errors.As(err, &missing) || len(missing.Objects) != 1 || missing.Objects[0].Digest != raw ||
		!strings.Contains(err.Error(), "input data/raw.csv "+string(raw)) {
		t.Fatalf("err = %v, want a MissingError naming input data/raw.csv %s", err, raw)
	}
	if code, out := p.cli("reproduce", orig.Record.ID); code != 2 || !strings.Contains(out, string(raw)) {
		t.Errorf("lockstep reproduce: exit %d, want 2 naming %s\n%s", code, raw, out)
	}
}

func TestRerunKeepsTheOriginalStepSelection(t *testing.T) {
	t.Parallel()
	needPython(t)
	p := newProject(t, map[string]string{"lockstep.yaml": noisyFlow, "noisy.py": noisyScript})
	orig := p.run(engine.Options{Steps: []string{"prepare"}})
	res := p.reproduce(orig, Options{})
	if res.Report.Verdict != Reproduced || len(res.Rerun.Tasks) != 1 || res.Rerun.Tasks["prepare"] == nil {
		t.Errorf("verdict %q with steps %v; want prepare alone, reproduced\n%s", res.Report.Verdict, res.Rerun.Record.Tasks, explained(res.Report))
	}
}
