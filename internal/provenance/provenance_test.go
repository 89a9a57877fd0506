package provenance

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/sbom"
	"lockstep.dev/lockstep/internal/store"
)

type testHome struct {
	t   *testing.T
	st  *store.Store
	cat catalog.Catalog
}

func newHome(t *testing.T) *testHome {
	t.Helper()
	h := home.OpenTemp(t)
	return &testHome{t: t, st: h.Store, cat: h.Catalog}
}

// tree stores a folder of files (name → content) and returns it as an
// output.
func (h *testHome) tree(files map[string]string) core.Artifact {
	h.t.Helper()
	dir := h.t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			h.t.Fatal(err)
		}
	}
	d, tr, err := h.st.PutTree(context.Background(), dir, store.TreeOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	return core.Artifact{Digest: d, Kind: core.KindTree, Size: tr.Size()}
}

func (h *testHome) json(v any) core.Digest {
	h.t.Helper()
	d, err := h.st.PutJSON(v)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

func TestModelsIsOneRuleForSignaturesAndBOMs(t *testing.T) {
	h := newHome(t)
	spec := h.json(map[string]any{"outputs": []map[string]string{{"name": "x", "path": "x/", "kind": "model"}, {"name": "plain", "path": "plain/", "kind": "dir"}}})
	file, err := h.st.PutBytes([]byte("weights"))
	if err != nil {
		t.Fatal(err)
	}
	tasks := map[string]*core.TaskRecord{
		"train": {Step: "train", Spec: spec, Outputs: map[string]core.Artifact{
			"x":     h.tree(map[string]string{"notes.txt": "declared"}),
			"plain": h.tree(map[string]string{"plot.txt": "not a model"}),
			"model": h.tree(map[string]string{"README": "named model"}),
			"flax":  h.tree(map[string]string{"params.MsgPack": "weights"}),
			"lite":  h.tree(map[string]string{"m.tflite": "weights"}),
			"bin":   {Digest: file, Kind: core.KindFile},
		}},
		"export": {Step: "export", Outputs: map[string]core.Artifact{
			"onnx": h.tree(map[string]string{"m.onnx": "weights", "labels.txt": "a"}),
			"x":    h.tree(map[string]string{"notes.txt": "undeclared here"}),
		}},
	}
	models, err := Models(h.st, tasks)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range models {
		got = append(got, m.Name)
		if m.Tree == nil || m.Artifact != tasks[m.Step].Outputs[strings.TrimPrefix(m.Name, m.Step+"/")] {
			t.Errorf("model %s: tree %v, artifact %+v", m.Name, m.Tree, m.Artifact)
		}
	}
	want := []string{"export/onnx", "train/flax", "train/lite", "train/model", "train/x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Models() = %v, want %v", got, want)
	}
	tasks["export"].Outputs["lost"] = core.Artifact{Digest: core.DigestOf([]byte("never stored")), Kind: core.KindTree}
	if _, err := Models(h.st, tasks); err == nil || !strings.Contains(err.Error(), "export/lost") {
		t.Errorf("an unreadable output folder: err = %v, want one naming export/lost", err)
	}
}

// run is a finished run: prepare read a dataset and wrote data (a file);
// train read it and wrote a model folder; both ran in one environment.
func (h *testHome) run() (*core.RunRecord, map[string]*core.TaskRecord) {
	h.t.Helper()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	env := h.json(map[string]string{"kernel": "6.1"})
	data, err := h.st.PutBytes([]byte("a,b\n"))
	if err != nil {
		h.t.Fatal(err)
	}
	ds := core.Artifact{Digest: core.DigestOf([]byte("iris tree")), Kind: core.KindTree, Source: "dataset:iris@1", BOM: core.DigestOf([]byte("bom"))}
	tasks := map[string]*core.TaskRecord{
		"prepare": {Type: core.TaskType, Run: "r1", Step: "prepare", Environment: env, Stdout: h.json("out"),
			Inputs:  map[string]core.Artifact{"raw": ds},
			Outputs: map[string]core.Artifact{"data": {Digest: data, Kind: core.KindFile}},
			Files:   []core.FileReport{{Artifact: "data", Path: "x.pkl", Verdict: "allowed"}}},
		"train": {Type: core.TaskType, Run: "r1", Step: "train", Environment: env,
			Inputs:  map[string]core.Artifact{"data": {Digest: data, Kind: core.KindFile, Source: "step:prepare.data"}, "again": ds},
			Outputs: map[string]core.Artifact{"model": h.tree(map[string]string{"w.safetensors": "w"})}},
	}
	rec := &core.RunRecord{Type: core.RunType, ID: "r1", Flow: "iris", Status: core.StatusSucceeded, Host: "builder-1",
		Started: start, Finished: start.Add(time.Minute), Code: core.DigestOf([]byte("code")), Seed: 42, Sandbox: "none",
		Git: &core.GitInfo{Commit: "abc123", Branch: "main", Remote: "https://example.com/repo.git"}, Tasks: map[string]core.Digest{}}
	for step, t := range tasks {
		rec.Tasks[step] = h.json(t)
	}
	return rec, tasks
}

func TestBuildNamesOutputsDependenciesAndByproducts(t *testing.T) {
	h := newHome(t)
	rec, tasks := h.run()
	p := Build(rec, tasks)
	var subjects []string
	for _, s := range p.Subjects {
		subjects = append(subjects, s.Name)
	}
	if !reflect.DeepEqual(subjects, []string{"prepare/data", "train/model"}) {
		t.Errorf("subjects = %v", subjects)
	}
	var deps []string
	for _, d := range p.Dependencies {
		deps = append(deps, d.Name)
	}
	// The dataset once, the step output not at all, the environment once.
	if !reflect.DeepEqual(deps, []string{"code", "dataset:iris@1", "environment"}) {
		t.Errorf("dependencies = %v", deps)
	}
	if code := p.Dependencies[0]; code.URI != "git+https://example.com/repo.git@abc123" || code.Digest != rec.Code {
		t.Errorf("code dependency = %+v", code)
	}
	if env := p.Dependencies[2]; !reflect.DeepEqual(env.Annotations["steps"], []string{"prepare", "train"}) {
		t.Errorf("environment dependency = %+v", env)
	}
	var by []string
	for _, b := range p.Byproducts {
		by = append(by, b.Name)
	}
	if !reflect.DeepEqual(by, []string{"task/prepare", "log/prepare/stdout", "task/train"}) {
		t.Errorf("byproducts = %v", by)
	}
	formats := p.Internal["formats"].(map[string]any)
	if formats["pickle"] != "allow" || !reflect.DeepEqual(formats["allowedFiles"], []string{"data/x.pkl"}) {
		t.Errorf("formats = %v: a run that let a pickle in must say so", formats)
	}
	if p.InvocationID != "r1" || p.External["seed"] != int64(42) {
		t.Errorf("invocation %q, external %v", p.InvocationID, p.External)
	}
}

func TestAttestSignsProvenanceAndEachModel(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	rec, tasks := h.run()
	key, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Attest(ctx, h.st, h.cat, rec, Options{Signer: key, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	trusted := []*attest.PublicKey{key.PublicKey}
	if signed.Key != key.PublicKey.Fingerprint() || len(signed.Models) != 1 || signed.Models["train/model"] == "" {
		t.Fatalf("Signed = %+v", signed)
	}
	b, err := h.st.ReadBytes(signed.Provenance)
	if err != nil {
		t.Fatal(err)
	}
	v, err := attest.Verify(b, trusted, tasks["prepare"].Outputs["data"].Digest)
	if err != nil {
		t.Fatalf("provenance does not verify for prepare/data: %v", err)
	}
	var pred struct {
		RunDetails struct {
			Builder struct{ ID string } `json:"builder"`
		} `json:"runDetails"`
	}
	if err := v.Statement.DecodePredicate(&pred); err != nil {
		t.Fatal(err)
	}
	if id := pred.RunDetails.Builder.ID; id != DefaultBuilderID("builder-1", key.PublicKey.Fingerprint()) || !strings.Contains(id, "host=builder-1") {
		t.Errorf("builder id = %q", id)
	}
	model := tasks["train"].Outputs["model"].Digest
	rows, err := h.cat.Attestations(ctx, model)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]core.Digest{}
	for _, r := range rows {
		if r.Run != "r1" || r.Signer != key.PublicKey.Fingerprint() {
			t.Errorf("attestation row %+v: want run r1 and the key's fingerprint", r)
		}
		kinds[r.PredicateType] = r.Bundle
	}
	if kinds[attest.ProvenancePredicateType] != signed.Provenance || kinds[attest.ModelPredicateType] != signed.Models["train/model"] {
		t.Errorf("the model's attestations = %v, want its provenance and its model signature", kinds)
	}
	// The environment's SBOM: signed about the environment record, listed
	// among the provenance's byproducts, named by the model.
	envDigest := tasks["train"].Environment
	envRecord, _ := h.st.ReadBytes(envDigest)
	env := new(capture.Environment)
	if err := json.Unmarshal(envRecord, env); err != nil {
		t.Fatal(err)
	}
	doc, err := sbom.New(env, envDigest)
	if err != nil {
		t.Fatal(err)
	}
	sbomRows, err := attest.Stored(ctx, h.st, h.cat, envDigest, sbom.PredicateType)
	if err != nil || len(sbomRows) != 1 || sbomRows[0].Row.Bundle != signed.SBOMs[envDigest] || sbomRows[0].Row.Run != "r1" {
		t.Fatalf("SBOM attestations of the environment = %+v (%v), want the one in %+v", sbomRows, err, signed.SBOMs)
	}
	sv, err := attest.Verify(sbomRows[0].Bytes, trusted, envDigest)
	if err != nil {
		t.Fatalf("signed SBOM does not verify for its environment: %v", err)
	}
	if !bytes.Equal(sv.Statement.Predicate.(json.RawMessage), doc.Bytes) {
		t.Error("the signed SBOM is not the environment's SBOM")
	}
	if stored, err := h.st.ReadBytes(doc.Digest); err != nil || !bytes.Equal(stored, doc.Bytes) {
		t.Errorf("the SBOM %s is not stored: %v", doc.Digest, err)
	}
	type descriptor struct {
		Name        string
		URI         string
		Digest      map[string]string
		Annotations map[string]any
	}
	var by struct {
		RunDetails struct {
			Byproducts []descriptor `json:"byproducts"`
		} `json:"runDetails"`
	}
	if err := v.Statement.DecodePredicate(&by); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(by.RunDetails.Byproducts, func(b descriptor) bool { return b.Name == "sbom" })
	if i < 0 {
		t.Fatalf("provenance byproducts %+v name no SBOM", by.RunDetails.Byproducts)
	}
	if b := by.RunDetails.Byproducts[i]; b.Digest["sha256"] != doc.Digest.Hex() || b.URI != doc.BOMLink ||
		b.Annotations["environment"] != envDigest.String() || b.Annotations["mediaType"] != sbom.MediaType {
		t.Errorf("SBOM byproduct = %+v, want %s of environment %s", b, doc.Digest, envDigest)
	}
	ms, err := Models(h.st, tasks)
	if err != nil || len(ms) != 1 || ms[0].SBOM == nil || ms[0].SBOM.Digest != doc.Digest || ms[0].SBOM.BOMLink != doc.BOMLink {
		t.Errorf("models = %+v (%v), want the SBOM %s named", ms, err, doc.Digest)
	}

	dir := filepath.Join(t.TempDir(), "model")
	if err := h.st.Materialize(ctx, model, dir, store.MaterializeOptions{}); err != nil {
		t.Fatal(err)
	}
	sig, _ := h.st.ReadBytes(signed.Models["train/model"])
	if _, err := attest.VerifyModel(ctx, dir, sig, trusted); err != nil {
		t.Errorf("model signature does not verify: %v", err)
	}

	other, _ := attest.GenerateKey("")
	got, err := Attest(ctx, h.st, h.cat, rec, Options{Signer: other, BuilderID: "https://ci.example.com", TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = h.st.ReadBytes(got.Provenance)
	v, err = attest.Verify(b, []*attest.PublicKey{other.PublicKey}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Statement.DecodePredicate(&pred); err != nil || pred.RunDetails.Builder.ID != "https://ci.example.com" {
		t.Errorf("builder id = %q (%v), want the BuilderID given", pred.RunDetails.Builder.ID, err)
	}
}

func TestFormatsRecordThePolicyAndItsWarnings(t *testing.T) {
	safe := core.FileReport{Artifact: "output:m", Path: "list.pkl", Verdict: "allowed", Policy: "allow-safe",
		Findings: []string{"pickle allowed by format policy allow-safe (imports nothing)"}}
	loose := core.FileReport{Artifact: "output:m", Path: "tree.pkl", Verdict: "allowed", Policy: "allow",
		Findings: []string{"pickle allowed by format policy allow (imports mylib.make, not on the safe list)"}}
	got := formatsOf(map[string]*core.TaskRecord{"a": {Files: []core.FileReport{safe}}})
	if got["pickle"] != "allow-safe" || !reflect.DeepEqual(got["warnings"], []string{"a: output:m/list.pkl: " + safe.Findings[0]}) {
		t.Errorf("allow-safe run: formats = %v", got)
	}
	got = formatsOf(map[string]*core.TaskRecord{"a": {Files: []core.FileReport{safe}}, "b": {Files: []core.FileReport{loose}}})
	if got["pickle"] != "allow" || !reflect.DeepEqual(got["allowedFiles"], []string{"output:m/list.pkl", "output:m/tree.pkl"}) {
		t.Errorf("a run with an allow task must record allow: formats = %v", got)
	}
	if got := formatsOf(map[string]*core.TaskRecord{"a": {}}); got["pickle"] != "deny" || got["warnings"] != nil {
		t.Errorf("run without pickles: formats = %v", got)
	}
}
