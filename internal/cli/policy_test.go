package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/policy"
)

// policyFlow trains a "model" from a dataset; sample.txt differs on every
// run, so a rebuild reproduces the model but not the sample.
const policyFlow = `flow: gate
seed: 7
params: {n: 1}
steps:
  train:
    run: mkdir $LOCKSTEP_OUTPUT_DIR/model && { printf 'w%s\n' $LOCKSTEP_PARAM_N; cat $LOCKSTEP_INPUT_DATA/corpus.csv; } > $LOCKSTEP_OUTPUT_DIR/model/weights.txt && date +%s%N > $LOCKSTEP_OUTPUT_DIR/sample.txt
    inputs:
      data: {dataset: corpus@1}
    outputs:
      model: {path: model/, kind: model}
      sample: sample.txt
`

const fullPolicy = `apiVersion: lockstep.dev/v1
kind: Policy
authorities:
  builders: [keys/platform.pub]
  data-producers: [keys/data-team.pub]
  reviewers: [keys/alice.pub, keys/bob.pub]
  rebuilders: [keys/rebuilder.pub]
require:
  provenance: {signedBy: builders, maxAge: 90d}
  sandbox: hermetic
  datasets: {bom: true, signedBy: data-producers, licenses: [CC-BY-4.0, CC0-1.0, MIT]}
  code: {reviewedBy: reviewers, minReviewers: 1}
  formats: {pickle: deny}
  reproduced: {by: rebuilders}
  modelSignature: {signedBy: builders}
admission: {requireModel: true}
`

// policyHome makes a project folder with the keys (platform, data-team,
// alice, bob, rebuilder, stranger) and datasets (corpus@1 signed by
// data-team, shady@1 by stranger) the policy tests use.
func policyHome(tb testing.TB) (dir string, environ []string) {
	tb.Helper()
	dir = tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lockstep.yaml"), []byte(policyFlow), 0o644); err != nil {
		tb.Fatal(err)
	}
	environ = append(os.Environ(), asCLI+"=1", "LOCKSTEP_HOME="+filepath.Join(dir, ".lockstep"), "NO_COLOR=1", "LOCKSTEP_PASSWORD=correct horse")
	for _, k := range []string{"platform", "data-team", "alice", "bob", "rebuilder", "stranger"} {
		runCLI(tb, dir, environ, 0, "key", "generate", k, "--out", filepath.Join(dir, "keys"))
	}
	key := func(name string) string { return filepath.Join(dir, "keys", name+".key") }
	for _, d := range []struct{ ref, body, signer string }{
		{"corpus@1", "text,label\nhello,1\nbye,0\n", "data-team"},
		{"shady@1", "text,label\nbuy now,1\n", "stranger"},
	} {
		data := filepath.Join(tb.TempDir(), "data")
		os.MkdirAll(data, 0o755)
		os.WriteFile(filepath.Join(data, "corpus.csv"), []byte(d.body), 0o644)
		runCLI(tb, dir, environ, 0, "data", "add", d.ref, data, "--license", "CC-BY-4.0", "--producer", d.signer, "--sign-with", key(d.signer))
	}
	return dir, environ
}

// runCLI runs lockstep in dir and fails unless it exits with want.
func runCLI(tb testing.TB, dir string, environ []string, want int, args ...string) string {
	tb.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		tb.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, strings.NewReader(""), &out, &errb, environ); code != want {
		tb.Fatalf("lockstep %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String()
}

// policyProject is policyHome as a project.
func policyProject(t *testing.T) *project {
	dir, environ := policyHome(t)
	return &project{t: t, dir: dir, environ: environ}
}

func (p *project) key(name string) string { return filepath.Join(p.dir, "keys", name+".key") }

// writePolicy writes the full policy with replacements (old, new pairs).
func (p *project) writePolicy(name string, replace ...string) string {
	p.t.Helper()
	body := fullPolicy
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(body, replace[i]) {
			p.t.Fatalf("policy has no %q", replace[i])
		}
		body = strings.Replace(body, replace[i], replace[i+1], 1)
	}
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		p.t.Fatal(err)
	}
	return path
}

// signedRun writes the flow (with replacements), runs it signed by the
// platform key and exports it; it returns the export folder.
func (p *project) signedRun(n string, sign bool, replace ...string) string {
	p.t.Helper()
	flow := policyFlow
	for i := 0; i+1 < len(replace); i += 2 {
		flow = strings.Replace(flow, replace[i], replace[i+1], 1)
	}
	os.WriteFile(filepath.Join(p.dir, "lockstep.yaml"), []byte(flow), 0o644)
	args := []string{"run", "--param", "n=" + n}
	if sign {
		args = append(args, "--sign-with", p.key("platform"))
	}
	p.mustRun(0, args...)
	exp := filepath.Join(p.t.TempDir(), "export")
	p.mustRun(0, "export", "last", exp)
	return exp
}

// verifyPolicy runs verify --policy and checks the exit code and that
// stdout holds every wanted text.
func (p *project) verifyPolicy(t *testing.T, code int, artifact, pol string, want ...string) {
	t.Helper()
	r := p.run("verify", artifact, "--policy", pol)
	if r.code != code {
		t.Fatalf("verify %s --policy %s: exit %d, want %d\n%s%s", artifact, pol, r.code, code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("verify %s --policy %s: output lacks %q:\n%s", filepath.Base(artifact), filepath.Base(pol), w, r.stdout)
		}
	}
}

func TestVerifyPolicy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs flows")
	}
	p := policyProject(t)
	good := p.writePolicy("policy.yaml")
	exp := p.signedRun("1", true)
	p.mustRun(0, "review", "approve", "last", "--key", p.key("alice"))
	p.run("reproduce", "last", "--sign-with", p.key("rebuilder"))
	model := filepath.Join(exp, "artifacts/train/model")

	p.verifyPolicy(t, 0, model, good, "✓ provenance: signed by keys/platform.pub", "✓ sandbox", "✓ dataset corpus@1",
		"✓ license: license CC-BY-4.0", "✓ code: code tree", "reviewed by keys/alice.pub", "✓ reproduced", "✓ modelSignature", "allowed by policy")
	var res policy.Result
	p.jsonOf(&res, "verify", model, "--policy", good)
	if !res.Allowed || len(res.Checks) != 7 || res.Evidence.Run == nil || len(res.Evidence.Datasets) != 1 || len(res.Evidence.Reviews) != 1 {
		t.Fatalf("JSON result: allowed %v, %d checks, evidence %+v", res.Allowed, len(res.Checks), res.Evidence)
	}

	cases := []struct {
		name     string
		artifact string
		policy   []string
		want     []string
	}{
		{"provenance by a non-builder key", model, []string{"builders: [keys/platform.pub]", "builders: [keys/stranger.pub]\n  operators: [keys/platform.pub]"},
			[]string{"✗ provenance: provenance is signed by keys/platform.pub", "role operators), not by role builders"}},
		{"expired provenance", model, []string{"maxAge: 90d", "maxAge: 1ms"}, []string{"✗ provenance: provenance expired: run finished"}},
		{"disallowed license", model, []string{"licenses: [CC-BY-4.0, CC0-1.0, MIT]", "licenses: [MIT]"}, []string{"✗ license: license CC-BY-4.0 is not allowed (allowed: MIT)"}},
		{"review by a non-reviewer", model, []string{"reviewers: [keys/alice.pub, keys/bob.pub]", "reviewers: [keys/bob.pub]"},
			[]string{"✗ code: code tree", "has 0 of 1 required reviews by role reviewers", "signed by a key that is not trusted"}},
		{"too few reviewers", model, []string{"minReviewers: 1", "minReviewers: 2"}, []string{"has 1 of 2 required reviews"}},
		{"reproduction that differed", filepath.Join(exp, "artifacts/train/sample"), nil,
			[]string{"✗ reproduced: no reproduction of run", "rebuilt train/sample differently (differs: "}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := p.writePolicy("variant"+string(rune('a'+i))+".yaml", c.policy...)
			p.verifyPolicy(t, 1, c.artifact, pol, c.want...)
		})
	}

	t.Run("rego", func(t *testing.T) {
		os.MkdirAll(filepath.Join(p.dir, "policies"), 0o755)
		os.WriteFile(filepath.Join(p.dir, "policies/extra.rego"), []byte(`package lockstep

deny contains msg if {
	input.run.seed == 7
	msg := sprintf("seed %d is the demo seed", [input.run.seed])
}
`), 0o644)
		pol := p.writePolicy("rego.yaml", "admission:", "rego: [policies/extra.rego]\nadmission:")
		p.verifyPolicy(t, 1, model, pol, "✗ rego: 1 deny messages", "✗ deny: seed 7 is the demo seed")
	})

	t.Run("tampered model", func(t *testing.T) {
		os.WriteFile(filepath.Join(model, "weights.txt"), []byte("backdoor\n"), 0o644)
		p.verifyPolicy(t, 1, model, good, "✗ provenance: no provenance for", "✗ modelSignature: model files differ from the signed manifest: changed weights.txt")
	})

	t.Run("unsigned provenance", func(t *testing.T) {
		e := p.signedRun("2", false)
		p.verifyPolicy(t, 1, filepath.Join(e, "artifacts/train/model"), good, "✗ provenance: no provenance for", "no run is known")
	})

	t.Run("review of different code, no reproduction", func(t *testing.T) {
		os.WriteFile(filepath.Join(p.dir, "notes.txt"), []byte("changed after review\n"), 0o644)
		e := p.signedRun("3", true)
		p.verifyPolicy(t, 1, filepath.Join(e, "artifacts/train/model"), good, "✓ provenance", "this exact code was never reviewed",
			"✗ reproduced: no reproduction of run", "lockstep reproduce ")
	})

	t.Run("dataset by an untrusted producer", func(t *testing.T) {
		e := p.signedRun("4", true, "corpus@1", "shady@1")
		p.verifyPolicy(t, 1, filepath.Join(e, "artifacts/train/model"), good, "✗ dataset shady@1", "✗ signature: BOM not signed by role data-producers")
	})

	t.Run("pickle among the run's files", func(t *testing.T) {
		e := p.signedRun("5", true, "steps:", "formats: {pickle: allow}\nsteps:", "&& date", `&& printf '\200\002K\001.' > $LOCKSTEP_OUTPUT_DIR/state.pkl && date`,
			"      sample: sample.txt", "      sample: sample.txt\n      state: state.pkl")
		p.verifyPolicy(t, 1, filepath.Join(e, "artifacts/train/model"), good, "✗ formats: pickles are denied", "output:state (pickle, allowed)")
		safe := p.writePolicy("allow-safe.yaml", "formats: {pickle: deny}", "formats: {pickle: allow-safe}")
		p.verifyPolicy(t, 1, filepath.Join(e, "artifacts/train/model"), safe, "✓ formats: no pickle importing globals off the safe list among the run's files")
		e = p.signedRun("8", true, "steps:", "formats: {pickle: allow}\nsteps:", "&& date", `&& printf '\200\002cmylib\nmake\n)R.' > $LOCKSTEP_OUTPUT_DIR/state.pkl && date`,
			"      sample: sample.txt", "      sample: sample.txt\n      state: state.pkl")
		p.verifyPolicy(t, 1, filepath.Join(e, "artifacts/train/model"), safe, "✗ formats: pickles importing globals off the safe list are denied", "output:state (pickle, allowed)")
	})

	t.Run("pickle in a dataset", func(t *testing.T) {
		data := writeTestFiles(t, map[string]string{"corpus.csv": "text,label\nhi,1\n", "cache.pkl": "\x80\x02K\x01."})
		p.mustRun(0, "data", "add", "pickled@1", data, "--license", "MIT", "--allow-pickle", "--sign-with", p.key("data-team"))
		e := p.signedRun("7", true, "corpus@1", "pickled@1", "steps:", "formats: {pickle: allow}\nsteps:")
		p.verifyPolicy(t, 1, filepath.Join(e, "artifacts/train/model"), good, "✗ dataset pickled@1: pickle files let in by a pickle policy: cache.pkl (pickle")
	})

	t.Run("task with network", func(t *testing.T) {
		e := p.signedRun("6", true, "    inputs:", "    network: true\n    inputs:")
		p.verifyPolicy(t, 1, filepath.Join(e, "artifacts/train/model"), good, "✗ task train: ran with network access")
	})

	t.Run("dataset without bill of materials", func(t *testing.T) {
		var ds struct{ BOM string }
		p.jsonOf(&ds, "data", "show", "corpus@1")
		removeObject(t, filepath.Join(p.dir, ".lockstep"), ds.BOM)
		p.verifyPolicy(t, 1, res.Subject.String(), good, "✗ dataset corpus@1: bill of materials", "is missing from the store")
	})
}

// removeObject deletes the store object with digest d under home.
func removeObject(t *testing.T, home, d string) {
	hex := strings.TrimPrefix(d, "sha256:")
	if len(hex) != 64 {
		t.Fatalf("not a digest: %q", d)
	}
	removed := false
	filepath.WalkDir(home, func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(path, filepath.Join(hex[:2], hex[2:])) {
			removed = os.Remove(path) == nil
		}
		return nil
	})
	if !removed {
		t.Fatalf("object %s not found under %s", d, home)
	}
}

func TestPolicyCommands(t *testing.T) {
	p := newProject(t, policyFlow, nil)
	p.environ = append(p.environ, "LOCKSTEP_PASSWORD=correct horse")
	for _, k := range []string{"platform", "data-team", "alice", "bob", "rebuilder"} {
		p.mustRun(0, "key", "generate", k, "--out", filepath.Join(p.dir, "keys"))
	}
	good := p.writePolicy("policy.yaml")
	if r := p.mustRun(0, "policy", "check", good); !strings.Contains(r.stdout, "is a valid policy (4 roles)") {
		t.Errorf("check:\n%s", r.stdout)
	}
	r := p.mustRun(0, "policy", "explain", good)
	for _, want := range []string{"Role reviewers is held by keys/alice.pub (SHA256:", "provenance signed by a builders key, from a run that finished at most 90d ago",
		"reviews by at least 1 distinct reviewers keys", "denies pods whose containers name no model"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, r.stdout)
		}
	}
	bad := p.writePolicy("bad.yaml", "reviewedBy: reviewers", "reviewedBy: reviewer")
	if r := p.mustRun(2, "policy", "check", bad); !strings.Contains(r.stderr, "bad.yaml:12: require.code.reviewedBy names role \"reviewer\"") {
		t.Errorf("check of a bad policy:\n%s", r.stderr)
	}
	if r := p.mustRun(2, "verify", "sha256:"+strings.Repeat("0", 64), "--policy", bad); !strings.Contains(r.stderr, "bad.yaml:12") {
		t.Errorf("verify with a bad policy:\n%s", r.stderr)
	}
}

// TestPolicyAndReviewRefuseCorruptObjects corrupts stored bytes the policy
// reads (a model file it materialises to check the model signature, a
// review bundle): each check fails naming the corrupt object's digest
// instead of judging other bytes.
func TestPolicyAndReviewRefuseCorruptObjects(t *testing.T) {
	if testing.Short() {
		t.Skip("runs flows")
	}
	p := policyProject(t)
	good := p.writePolicy("policy.yaml")
	p.signedRun("1", true)
	r := p.mustRun(0, "review", "approve", "last", "--key", p.key("alice"), "--json")
	var approved struct{ Bundle string }
	if err := json.Unmarshal([]byte(r.stdout), &approved); err != nil || approved.Bundle == "" {
		t.Fatalf("review approve --json: %v\n%s", err, r.stdout)
	}
	var show struct {
		Tasks map[string]struct {
			Outputs map[string]struct{ Digest core.Digest }
		}
	}
	p.jsonOf(&show, "show", "last")
	model := show.Tasks["train"].Outputs["model"].Digest
	if model == "" {
		t.Fatalf("no model output in show last: %+v", show)
	}
	p.verifyPolicy(t, 1, model.String(), good, "✓ provenance", "✓ modelSignature", "reviewed by keys/alice.pub")

	weights := core.DigestOf([]byte("w1\ntext,label\nhello,1\nbye,0\n"))
	p.corrupt(weights, "w1\ntext,label\nhello,0\nbye,1\n")
	bundle, err := core.ParseDigest(approved.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	p.corrupt(bundle, strings.Repeat("x", 64))
	p.verifyPolicy(t, 1, model.String(), good, "✗ modelSignature", weights.Hex()[:12], "✗ code", bundle.Hex()[:12])
}
