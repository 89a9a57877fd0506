package policy_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/provenance"
	"lockstep.dev/lockstep/internal/review"
	"lockstep.dev/lockstep/internal/scan"
	"lockstep.dev/lockstep/internal/store"
)

// world is a home holding the evidence of one signed run, built from the
// same records and signatures a real run leaves: a dataset signed by its
// producer, a task reading it in the sandbox and writing a model, the
// run's provenance and model signature, a review of its code and a signed
// reproduction. Tests change one piece and see which rule notices.
type world struct {
	t     *testing.T
	h     *home.Home
	dir   string // policy files and keys/NAME.pub
	keys  map[string]*attest.Signer
	run   *core.RunRecord
	task  *core.TaskRecord
	model core.Digest
	code  core.Digest
}

// worldOptions are the departures from a good run.
type worldOptions struct {
	task       func(*core.TaskRecord) // edits the task record before it is stored
	unsigned   bool                   // no provenance, no model signature
	dataSigner string                 // who signs the BOM ("" none); default data-team
	reviewer   string                 // who reviews the code ("" none)
	rebuilder  string                 // who signs the reproduction ("" none)
	verdict    string                 // the reproduction's verdict on the model
	finished   time.Time              // when the run finished; zero is now
}

func good() worldOptions {
	return worldOptions{dataSigner: "data-team", reviewer: "alice", rebuilder: "rebuilder", verdict: "reproduced"}
}

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, h: home.OpenTemp(t), dir: t.TempDir(), keys: map[string]*attest.Signer{}}
	os.MkdirAll(filepath.Join(w.dir, "keys"), 0o755)
	for _, name := range []string{"platform", "data-team", "alice", "bob", "rebuilder", "stranger"} {
		k, err := attest.GenerateKey(attest.KeyEd25519)
		if err != nil {
			t.Fatal(err)
		}
		w.keys[name] = k
		if err := os.WriteFile(filepath.Join(w.dir, "keys", name+".pub"), k.PublicKey.PEM(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, cat := w.h.Store, w.h.Catalog

	data := w.folder(map[string]string{"corpus.csv": "text,label\nhello,1\n"})
	add := dataset.AddOptions{Source: data, License: "CC-BY-4.0", Producer: "data team", Ref: mustRef(t, "corpus@1")}
	if o.dataSigner != "" {
		add.Signer = w.keys[o.dataSigner]
	}
	ds, err := dataset.Add(ctx, st, cat, add)
	if err != nil {
		t.Fatal(err)
	}
	w.code = w.tree(map[string]string{"train.py": "print('train')\n"})
	w.model = w.tree(map[string]string{"weights.txt": "w1\n"})
	spec, err := st.PutJSON(map[string]any{"outputs": []map[string]string{{"name": "model", "kind": "model"}}})
	if err != nil {
		t.Fatal(err)
	}
	finished := o.finished
	if finished.IsZero() {
		finished = time.Now().UTC()
	}
	w.task = &core.TaskRecord{Type: "lockstep.task/v1", Run: "r1", Step: "train", Spec: spec, Command: "python3 train.py", Code: w.code,
		Inputs:  map[string]core.Artifact{"data": {Digest: ds.Tree, Kind: core.KindTree, Source: "dataset:corpus@1", BOM: ds.BOM}},
		Outputs: map[string]core.Artifact{"model": {Digest: w.model, Kind: core.KindTree, Size: 3}},
		Sandbox: "bubblewrap", Status: core.StatusSucceeded, Started: finished.Add(-time.Minute), Finished: finished,
		Files: []core.FileReport{{Artifact: "output:model", Path: "weights.txt", Format: "text", Verdict: "clean"}}}
	if o.task != nil {
		o.task(w.task)
	}
	td, err := st.PutJSON(w.task)
	if err != nil {
		t.Fatal(err)
	}
	w.run = &core.RunRecord{Type: "lockstep.run/v1", ID: "r1", Flow: "gate", Code: w.code, Seed: 7, Sandbox: "bubblewrap",
		Status: core.StatusSucceeded, Host: "builder", Started: w.task.Started, Finished: finished, Tasks: map[string]core.Digest{"train": td}}
	rd, err := st.PutJSON(w.run)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.FinishRun(ctx, w.run, rd); err != nil {
		t.Fatal(err)
	}
	if !o.unsigned {
		if _, err := provenance.Attest(ctx, st, cat, w.run, provenance.Options{Signer: w.keys["platform"], TempDir: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
	}
	if o.reviewer != "" {
		if _, err := review.Approve(ctx, st, cat, w.code, w.keys[o.reviewer], review.Review{Reviewer: o.reviewer, Time: finished}); err != nil {
			t.Fatal(err)
		}
	}
	if o.rebuilder != "" {
		stmt := attest.NewStatement([]attest.Subject{{Name: "train/model", Digest: w.model}}, policy.ReproductionPredicateType,
			map[string]any{"originalRun": "r1", "rerun": "r2", "outputs": []map[string]string{
				{"name": "train/model", "verdict": o.verdict, "original": string(w.model), "rerun": string(w.rerunDigest(o.verdict))}}})
		if _, err := provenance.StoreBundle(ctx, st, cat, stmt, w.keys[o.rebuilder], "r2"); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// rerunDigest is what the rerun produced for a verdict.
func (w *world) rerunDigest(verdict string) core.Digest {
	if verdict == "reproduced" {
		return w.model
	}
	return core.DigestOf([]byte("other weights"))
}

// folder writes files into a new folder.
func (w *world) folder(files map[string]string) string {
	dir := w.t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
	return dir
}

// tree stores files as a tree and returns its digest.
func (w *world) tree(files map[string]string) core.Digest {
	d, _, err := w.h.Store.PutTree(context.Background(), w.folder(files), store.TreeOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

const rulesPolicy = `apiVersion: lockstep.dev/v1
kind: Policy
authorities:
  builders: [keys/platform.pub]
  data-producers: [keys/data-team.pub]
  reviewers: [keys/alice.pub, keys/bob.pub]
  rebuilders: [keys/rebuilder.pub]
require:
  provenance: {signedBy: builders, maxAge: 30d}
  sandbox: hermetic
  datasets: {bom: true, signedBy: data-producers, licenses: [CC-BY-4.0]}
  code: {reviewedBy: reviewers, minReviewers: 1}
  formats: {pickle: deny}
  reproduced: {by: rebuilders}
  modelSignature: {signedBy: builders}
`

// evaluate evaluates the model against the rules policy with replacements
// (old, new pairs) and returns the result and its text.
func (w *world) evaluate(replace ...string) (*policy.Result, string) {
	w.t.Helper()
	body := rulesPolicy
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(body, replace[i]) {
			w.t.Fatalf("policy has no %q", replace[i])
		}
		body = strings.Replace(body, replace[i], replace[i+1], 1)
	}
	path := filepath.Join(w.dir, "policy.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		w.t.Fatal(err)
	}
	pol, err := policy.Load(path)
	if err != nil {
		w.t.Fatal(err)
	}
	res, err := policy.Evaluate(context.Background(), w.h.Store, w.h.Catalog, pol, policy.Target{Digest: w.model}, policy.Options{TempDir: w.t.TempDir()})
	if err != nil {
		w.t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range res.Checks {
		writeCheck(&b, c, "")
	}
	return res, b.String()
}

func writeCheck(b *strings.Builder, c policy.Check, indent string) {
	mark := "✓"
	if !c.Passed {
		mark = "✗"
	}
	b.WriteString(indent + mark + " " + c.Name + ": " + c.Reason + "\n")
	for _, child := range c.Checks {
		writeCheck(b, child, indent+"  ")
	}
}

func mustRef(t *testing.T, s string) dataset.Ref {
	r, err := dataset.ParseRef(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// expect checks the result is allowed or not and its text has every want.
func expect(t *testing.T, res *policy.Result, text string, allowed bool, want ...string) {
	t.Helper()
	if res.Allowed != allowed {
		t.Errorf("allowed = %v, want %v:\n%s", res.Allowed, allowed, text)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("result lacks %q:\n%s", w, text)
		}
	}
}

func TestEveryRulePassesOnAGoodRun(t *testing.T) {
	w := newWorld(t, good())
	res, text := w.evaluate()
	expect(t, res, text, true, "✓ provenance: signed by", "role builders", "✓ sandbox: all 1 tasks ran hermetic", "✓ formats",
		"✓ datasets", "✓ signature: BOM signed by", "✓ license: license CC-BY-4.0", "✓ files", "✓ code: code tree", "reviewed by",
		"✓ reproduced: rerun r2 rebuilt train/model bit-identically", "✓ modelSignature")
	if len(res.Checks) != 7 || res.Evidence.Run == nil || res.Evidence.Run.ID != "r1" || len(res.Evidence.Reviews) != 1 || len(res.Evidence.Reproductions) != 1 {
		t.Errorf("checks %d, evidence %+v", len(res.Checks), res.Evidence)
	}
	// The evidence document the Rego rules read is the same evidence.
	doc, err := json.Marshal(res.Evidence)
	if err != nil || !strings.Contains(string(doc), `"r1"`) {
		t.Errorf("evidence JSON: %v %s", err, doc)
	}
}

func TestEachRuleFailsOnItsOwnDefect(t *testing.T) {
	for _, c := range []struct {
		name    string
		opts    func(*worldOptions)
		replace []string
		want    []string
	}{
		{"unsigned run", func(o *worldOptions) { o.unsigned = true }, nil,
			[]string{"✗ provenance: no provenance for", "✗ sandbox: no run is known", "✗ modelSignature"}},
		{"provenance by the wrong role", nil, []string{"builders: [keys/platform.pub]", "builders: [keys/stranger.pub]\n  operators: [keys/platform.pub]"},
			[]string{"✗ provenance: provenance is signed by", "role operators), not by role builders"}},
		{"expired provenance", func(o *worldOptions) { o.finished = time.Now().Add(-60 * 24 * time.Hour) }, nil,
			[]string{"✗ provenance: provenance expired: run finished"}},
		{"unsandboxed task", func(o *worldOptions) { o.task = func(t *core.TaskRecord) { t.Sandbox = "none" } }, nil,
			[]string{"✗ sandbox", `ran with sandbox "none", not confined`}},
		{"task with network", func(o *worldOptions) { o.task = func(t *core.TaskRecord) { t.Network = true } }, nil,
			[]string{"✗ sandbox", "ran with network access"}},
		{"network allowed when not hermetic", func(o *worldOptions) { o.task = func(t *core.TaskRecord) { t.Network = true } },
			[]string{"sandbox: hermetic", "sandbox: confined"}, nil},
		{"pickle output", func(o *worldOptions) { o.task = pickleOutput("refused", "") }, nil,
			[]string{"✗ formats", "pickle: output:model model.pkl (pickle, refused)"}},
		{"safe pickle under allow-safe", func(o *worldOptions) { o.task = pickleOutput("allowed", "") },
			[]string{"pickle: deny", "pickle: allow-safe"}, []string{"✓ formats: no pickle importing globals off the safe list"}},
		{"unsafe pickle under allow-safe", func(o *worldOptions) { o.task = pickleOutput("allowed", "imports os.system ") },
			[]string{"pickle: deny", "pickle: allow-safe"}, []string{"✗ formats", "pickle importing globals off the safe list: output:model model.pkl"}},
		{"unsigned dataset", func(o *worldOptions) { o.dataSigner = "" }, nil,
			[]string{"✗ signature: the BOM is unsigned"}},
		{"dataset signed by a stranger", func(o *worldOptions) { o.dataSigner = "stranger" }, nil,
			[]string{"✗ signature: BOM not signed by role data-producers"}},
		{"license not allowed", nil, []string{"licenses: [CC-BY-4.0]", "licenses: [MIT]"},
			[]string{"✗ license: license CC-BY-4.0 is not allowed (allowed: MIT)"}},
		{"no review", func(o *worldOptions) { o.reviewer = "" }, nil,
			[]string{"✗ code: code tree", "has 0 of 1 required reviews", "this exact code was never reviewed"}},
		{"review by a stranger", func(o *worldOptions) { o.reviewer = "stranger" }, nil,
			[]string{"✗ code", "other reviews: signed by a key that is not trusted"}},
		{"two reviewers required", nil, []string{"minReviewers: 1", "minReviewers: 2"},
			[]string{"✗ code: code tree", "has 1 of 2 required reviews by role reviewers"}},
		{"no reproduction", func(o *worldOptions) { o.rebuilder = "" }, nil,
			[]string{"✗ reproduced: no reproduction of run r1 by role rebuilders", "lockstep reproduce r1 --sign-with KEY"}},
		{"reproduction by a stranger", func(o *worldOptions) { o.rebuilder = "stranger" }, nil,
			[]string{"✗ reproduced", "not by role rebuilders"}},
		{"reproduction that differed", func(o *worldOptions) { o.verdict = "differs" }, nil,
			[]string{"✗ reproduced: no reproduction of run r1"}},
		{"model signature by the wrong role", nil, []string{"modelSignature: {signedBy: builders}", "modelSignature: {signedBy: rebuilders}"},
			[]string{"✗ modelSignature"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := good()
			if c.opts != nil {
				c.opts(&o)
			}
			w := newWorld(t, o)
			res, text := w.evaluate(c.replace...)
			expect(t, res, text, len(c.want) == 0 || !strings.HasPrefix(c.want[0], "✗"), c.want...)
		})
	}
}

// pickleOutput makes the task's model hold a pickle with a verdict.
func pickleOutput(verdict, finding string) func(*core.TaskRecord) {
	return func(t *core.TaskRecord) {
		f := core.FileReport{Artifact: "output:model", Path: "model.pkl", Format: "pickle", Verdict: verdict}
		if finding != "" {
			f.Findings = []string{finding + scan.OffSafeList}
		}
		t.Files = append(t.Files, f)
	}
}

func TestRegoRulesDenyWithTheirMessage(t *testing.T) {
	w := newWorld(t, good())
	rego := filepath.Join(w.dir, "extra.rego")
	os.WriteFile(rego, []byte(`package lockstep

deny contains msg if {
	input.run.seed == 7
	msg := sprintf("seed %d is the demo seed", [input.run.seed])
}
`), 0o644)
	res, text := w.evaluate("require:", "rego: [extra.rego]\nrequire:")
	expect(t, res, text, false, "✗ rego: 1 deny messages", "✗ deny: seed 7 is the demo seed")
}
