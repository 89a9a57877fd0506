package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

const piiFlow = `flow: pii
trust:
  data-producers: [keys/producer.pub]
  reviewers: [keys/reviewer.pub]
steps:
  count:
    run: mkdir $LOCKSTEP_OUTPUT_DIR/model && wc -l < $LOCKSTEP_INPUT_PEOPLE/people.csv > $LOCKSTEP_OUTPUT_DIR/model/weights.txt && cp $LOCKSTEP_INPUT_PEOPLE/people.csv $LOCKSTEP_OUTPUT_DIR/model/
    inputs:
      people: {dataset: people@1}
    outputs:
      model: {path: model/, kind: model}
`

// runWithStdin runs lockstep in the project with stdin and extra variables.
func (p *project) runWithStdin(stdin string, extra []string, args ...string) result {
	p.t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(p.dir); err != nil {
		p.t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb, append(append([]string(nil), p.environ...), extra...))
	return result{code, out.String(), errb.String()}
}

func TestRestrictedDatasetNeedsReviewedCode(t *testing.T) {
	p := newProject(t, piiFlow, nil)
	p.environ = append(p.environ, "LOCKSTEP_PASSWORD=correct horse")
	keys := filepath.Join(p.dir, "keys")
	for _, k := range []string{"producer", "reviewer", "stranger"} {
		p.mustRun(0, "key", "generate", k, "--out", keys)
	}
	data := writeTestFiles(t, map[string]string{"people.csv": "name,age\nada,36\nalan,41\n"})
	r := p.mustRun(0, "data", "add", "people@1", data, "--classification", "restricted", "--producer", "hr",
		"--sign-with", filepath.Join(keys, "producer.key"))
	if !strings.Contains(r.stdout, "registered people@1: 1 files") {
		t.Fatalf("data add output:\n%s", r.stdout)
	}

	r = p.run("run")
	if r.code == 0 || !strings.Contains(r.stderr, "restricted") || !strings.Contains(r.stderr, "lockstep review approve sha256:") {
		t.Fatalf("unreviewed run: exit %d\n%s", r.code, r.stderr)
	}
	p.mustRun(0, "review", "approve", "last", "--key", filepath.Join(keys, "stranger.key"))
	if r = p.run("run"); r.code == 0 {
		t.Fatalf("run reviewed by an untrusted key succeeded:\n%s", r.stderr)
	}
	p.mustRun(0, "review", "approve", "last", "--key", filepath.Join(keys, "reviewer.key"), "--comment", "counts only")
	p.mustRun(0, "run")

	var bom struct {
		Components []struct {
			Type      string `json:"type"`
			ModelCard struct {
				ModelParameters struct {
					Datasets []struct{ Ref string } `json:"datasets"`
				} `json:"modelParameters"`
			} `json:"modelCard"`
		} `json:"components"`
	}
	p.jsonOf(&bom, "bom", "last", "--json")
	if len(bom.Components) != 2 || bom.Components[0].Type != "machine-learning-model" ||
		len(bom.Components[0].ModelCard.ModelParameters.Datasets) != 1 || bom.Components[0].ModelCard.ModelParameters.Datasets[0].Ref != "dataset:people@1" {
		t.Fatalf("ML-BOM: %+v", bom)
	}

	// Outside runs, restricted data needs the platform's access token, on
	// every path that hands bytes out: cat, get, export and data get.
	people := core.DigestOf([]byte("name,age\nada,36\nalan,41\n")).String()
	for _, args := range [][]string{
		{"cat", people},
		{"get", "last", "count.model", filepath.Join(t.TempDir(), "m")},
		{"export", "last", filepath.Join(t.TempDir(), "ev")},
	} {
		if r := p.run(args...); r.code != 1 || !strings.Contains(r.stderr, "restricted dataset people@1") || !strings.Contains(r.stderr, "review approve") {
			t.Errorf("lockstep %s without the token: exit %d, want 1 naming the dataset and the review\n%s%s", args[0], r.code, r.stdout, r.stderr)
		}
	}
	dest := filepath.Join(t.TempDir(), "people")
	if r := p.mustRun(1, "data", "get", "people@1", dest); !strings.Contains(r.stderr, "access-token set") {
		t.Fatalf("get without a configured token:\n%s", r.stderr)
	}
	token := "0123456789abcdef0123456789abcdef"
	if r := p.runWithStdin(token+"\n", nil, "data", "access-token", "set"); r.code != 0 {
		t.Fatalf("access-token set: %d %s", r.code, r.stderr)
	}
	if r := p.runWithStdin("", []string{"LOCKSTEP_DATA_ACCESS_TOKEN=wrong-wrong-wrong-wrong"}, "data", "get", "people@1", dest); r.code != 1 {
		t.Fatalf("get with a wrong token: exit %d %s", r.code, r.stderr)
	}
	if r := p.runWithStdin("", []string{"LOCKSTEP_DATA_ACCESS_TOKEN=" + token}, "data", "get", "people@1", dest); r.code != 0 {
		t.Fatalf("get with the token: exit %d %s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dest, "people.csv")); err != nil || string(b) != "name,age\nada,36\nalan,41\n" {
		t.Fatalf("restored %q, %v", b, err)
	}
	if r := p.runWithStdin("", []string{"LOCKSTEP_DATA_ACCESS_TOKEN=" + token}, "cat", people); r.code != 0 || r.stdout != "name,age\nada,36\nalan,41\n" {
		t.Errorf("cat with the token: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	// Metadata stays visible to everyone.
	if r := p.mustRun(0, "data", "show", "people@1"); !strings.Contains(r.stdout, "restricted") || !strings.Contains(r.stdout, "rows=2 columns=2") {
		t.Fatalf("data show:\n%s", r.stdout)
	}
}

func TestDataCommands(t *testing.T) {
	p := newProject(t, piiFlow, nil)
	p.environ = append(p.environ, "LOCKSTEP_PASSWORD=correct horse")
	keys := filepath.Join(p.dir, "keys")
	p.mustRun(0, "key", "generate", "producer", "--out", keys)
	p.mustRun(0, "key", "generate", "other", "--out", keys)
	data := writeTestFiles(t, map[string]string{"a.csv": "x\n1\n", "sub/b.csv": "x\n2\n"})
	p.mustRun(0, "data", "add", "iris@1", data, "--sign-with", filepath.Join(keys, "producer.key"), "--license", "CC0-1.0")
	if r := p.mustRun(0, "data", "add", "iris@1", data); !strings.Contains(r.stdout, "nothing changed") {
		t.Fatalf("re-add:\n%s", r.stdout)
	}
	os.WriteFile(filepath.Join(data, "a.csv"), []byte("x\n5\n"), 0o644)
	if r := p.mustRun(2, "data", "add", "iris@1", data); !strings.Contains(r.stderr, "already bound") && !strings.Contains(r.stderr, "bound to") {
		t.Fatalf("conflicting add:\n%s", r.stderr)
	}
	p.mustRun(2, "data", "add", "../iris@1", data)
	p.mustRun(2, "data", "show", "nothing@1")

	var list []struct {
		Name    string   `json:"name"`
		Files   int      `json:"files"`
		Signers []string `json:"signers"`
		License string   `json:"license"`
	}
	p.jsonOf(&list, "data", "list", "--json")
	if len(list) != 1 || list[0].Name != "iris@1" || list[0].Files != 2 || len(list[0].Signers) != 1 || list[0].License != "CC0-1.0" {
		t.Fatalf("data list: %+v", list)
	}
	p.mustRun(0, "data", "verify", "iris@1", "--key", filepath.Join(keys, "producer.pub"))
	if r := p.mustRun(1, "data", "verify", "iris@1", "--key", filepath.Join(keys, "other.pub")); !strings.Contains(r.stderr, "not signed by any trusted key") {
		t.Fatalf("verify with another key:\n%s", r.stderr)
	}

	// Export the BOM and its bundle, import them into a second project.
	bom := p.mustRun(0, "data", "show", "iris@1", "--bom").stdout
	out := t.TempDir()
	bomFile := filepath.Join(out, "iris.cdx.json")
	os.WriteFile(bomFile, []byte(bom), 0o644)
	q := newProject(t, piiFlow, nil)
	os.WriteFile(filepath.Join(data, "a.csv"), []byte("x\n1\n"), 0o644)
	if r := q.mustRun(0, "data", "import", bomFile, "--from", data); !strings.Contains(r.stderr, "without a signature") {
		t.Fatalf("unsigned import:\n%s", r.stderr)
	}
	var shown map[string]any
	q.jsonOf(&shown, "data", "show", "iris@1", "--json")
	if shown["tree"] == nil || shown["tree"] != list0Tree(t, p) {
		t.Fatalf("imported tree %v", shown["tree"])
	}

	// The producer's signature, over a BOM changed in transit: a failed
	// signature check, exit 1.
	var rows []map[string]any
	p.jsonOf(&rows, "attestations", list0Tree(t, p).(string))
	if len(rows) != 1 {
		t.Fatalf("attestations of the dataset: %v", rows)
	}
	bundle := filepath.Join(out, "iris.sigstore.json")
	os.WriteFile(bundle, []byte(p.mustRun(0, "cat", rows[0]["Bundle"].(string)).stdout), 0o644)
	forged := filepath.Join(out, "forged.cdx.json")
	os.WriteFile(forged, []byte(strings.Replace(bom, "CC0-1.0", "MIT", 1)), 0o644)
	r := newProject(t, piiFlow, nil)
	if res := r.mustRun(1, "data", "import", forged, "--from", data, "--bundle", bundle, "--key", filepath.Join(keys, "producer.pub")); !strings.Contains(res.stderr, "another bill of materials") {
		t.Fatalf("import of a BOM the signature does not cover:\n%s", res.stderr)
	}
	r.mustRun(0, "data", "import", bomFile, "--from", data, "--bundle", bundle, "--key", filepath.Join(keys, "producer.pub"))
}

func list0Tree(t *testing.T, p *project) any {
	var list []map[string]any
	p.jsonOf(&list, "data", "list", "--json")
	return list[0]["tree"]
}

func writeTestFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReviewApproveGitCommit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	p := newProject(t, piiFlow, map[string]string{".gitignore": ".lockstep/\n", "count.py": "print(1)\n"})
	p.environ = append(p.environ, "LOCKSTEP_PASSWORD=correct horse")
	keys := filepath.Join(p.dir, "keys")
	for _, k := range []string{"producer", "reviewer"} {
		p.mustRun(0, "key", "generate", k, "--out", keys)
	}
	data := writeTestFiles(t, map[string]string{"people.csv": "name\nada\n"})
	p.mustRun(0, "data", "add", "people@1", data, "--classification", "restricted", "--sign-with", filepath.Join(keys, "producer.key"))
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", p.dir, "-c", "user.name=t", "-c", "user.email=t@example.org"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "reviewed version")
	commit := git("rev-parse", "HEAD")

	r := p.mustRun(0, "review", "approve", commit[:12], "--key", filepath.Join(keys, "reviewer.key"))
	if !strings.Contains(r.stdout, "git commit "+commit[:12]) {
		t.Fatalf("review output:\n%s", r.stdout)
	}
	// A clean checkout of the reviewed commit may read the data...
	p.mustRun(0, "run")
	// ...an edited one may not.
	os.WriteFile(filepath.Join(p.dir, "count.py"), []byte("print(2)\n"), 0o644)
	if r := p.run("run"); r.code == 0 || !strings.Contains(r.stderr, "restricted") {
		t.Fatalf("run of unreviewed edits: exit %d\n%s", r.code, r.stderr)
	}
}
