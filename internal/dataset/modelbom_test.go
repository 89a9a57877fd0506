package dataset

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

func TestRunBOM(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	raw := writeFiles(t, filepath.Join(e.root, "raw"), map[string]string{"iris.csv": "a,b\n1,2\n"})
	ds, err := e.add(t, "iris@1", raw, AddOptions{Producer: "uci", Classification: Public})
	if err != nil {
		t.Fatal(err)
	}
	modelDir := writeFiles(t, filepath.Join(e.root, "model"), map[string]string{"weights.safetensors": "w", "config.json": "{}"})
	model, _, err := e.st.PutTree(ctx, modelDir, store.TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reportDir := writeFiles(t, filepath.Join(e.root, "report"), map[string]string{"r.txt": "fine"})
	report, _, err := e.st.PutTree(ctx, reportDir, store.TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clean := core.DigestOf([]byte("clean tree"))
	tasks := map[string]*core.TaskRecord{
		"prepare": {Step: "prepare", Inputs: map[string]core.Artifact{"raw": {Digest: ds.Tree, Kind: core.KindTree, Source: "dataset:iris@1"}},
			Outputs: map[string]core.Artifact{"clean": {Digest: clean, Kind: core.KindTree}}},
		"train": {Step: "train", Inputs: map[string]core.Artifact{"data": {Digest: clean, Kind: core.KindTree, Source: "step:prepare.clean"}},
			Outputs: map[string]core.Artifact{"model": {Digest: model, Kind: core.KindTree}, "report": {Digest: report, Kind: core.KindTree}}},
	}
	rec := &core.RunRecord{ID: "20260101-abc", Flow: "iris", Code: core.DigestOf([]byte("code")), Seed: 7,
		Started: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Finished: time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)}
	if err := e.cat.FinishRun(ctx, rec, core.DigestOf([]byte("record"))); err != nil {
		t.Fatal(err)
	}
	bundle := core.DigestOf([]byte("model signature"))
	if err := e.cat.PutAttestation(ctx, catalog.AttestationRow{Bundle: bundle, Subject: model, SubjectName: "train/model",
		PredicateType: "https://model_signing/signature/v1.0", Run: rec.ID, Created: rec.Finished}); err != nil {
		t.Fatal(err)
	}

	modelTree, err := e.st.GetTree(model)
	if err != nil {
		t.Fatal(err)
	}
	reportTree, err := e.st.GetTree(report)
	if err != nil {
		t.Fatal(err)
	}
	models := []Model{{Name: "train/model", Step: "train", Tree: modelTree, Artifact: tasks["train"].Outputs["model"]}}
	bom, err := RunBOM(ctx, e.st, e.cat, rec, tasks, models)
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeBOM(bom)
	if err != nil {
		t.Fatal(err)
	}
	validateCycloneDX(t, b)
	var doc struct {
		Components []struct {
			BOMRef    string `json:"bom-ref"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			ModelCard struct {
				ModelParameters struct {
					Datasets []struct {
						Ref string `json:"ref"`
					} `json:"datasets"`
				} `json:"modelParameters"`
			} `json:"modelCard"`
			ExternalReferences []struct {
				Type string `json:"type"`
				URL  string `json:"url"`
			} `json:"externalReferences"`
			Properties []struct{ Name, Value string } `json:"properties"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Components) != 2 {
		t.Fatalf("components = %+v", doc.Components)
	}
	m, d := doc.Components[0], doc.Components[1]
	if m.Type != "machine-learning-model" || m.Name != "train/model" {
		t.Fatalf("model component = %+v", m)
	}
	if sets := m.ModelCard.ModelParameters.Datasets; len(sets) != 1 || sets[0].Ref != "dataset:iris@1" || d.BOMRef != "dataset:iris@1" {
		t.Fatalf("model datasets = %+v, dataset component %+v", sets, d)
	}
	if len(m.ExternalReferences) != 1 || !strings.HasSuffix(m.ExternalReferences[0].URL, string(bundle)) {
		t.Fatalf("model attestations = %+v", m.ExternalReferences)
	}
	if d.Type != "data" || !strings.Contains(string(b), `"classification":"public"`) {
		t.Fatalf("dataset component = %+v", d)
	}

	// A second model trained on the same dataset: one more component.
	models = append(models, Model{Name: "train/report", Step: "train", Tree: reportTree, Artifact: tasks["train"].Outputs["report"]})
	bom, err = RunBOM(ctx, e.st, e.cat, rec, tasks, models)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(*bom.Components); n != 3 {
		t.Fatalf("with two models: %d components", n)
	}

	// The environment's SBOM is referenced as a "bom" with its sha256.
	sbomRef := &SBOMRef{Environment: core.DigestOf([]byte("env")), Digest: core.DigestOf([]byte("sbom")),
		BOMLink: "urn:cdx:3b6f5c2e-7a1d-5f0e-9c44-0e2b9d1f6a77/1"}
	models[0].SBOM = sbomRef
	if bom, err = RunBOM(ctx, e.st, e.cat, rec, tasks, models[:1]); err != nil {
		t.Fatal(err)
	}
	if b, err = EncodeBOM(bom); err != nil {
		t.Fatal(err)
	}
	validateCycloneDX(t, b)
	found := false
	for _, r := range *(*bom.Components)[0].ExternalReferences {
		found = found || r.Type == "bom" && r.URL == sbomRef.BOMLink && r.Hashes != nil &&
			(*r.Hashes)[0].Algorithm == "SHA-256" && (*r.Hashes)[0].Value == sbomRef.Digest.Hex()
	}
	if !found {
		t.Errorf("the model does not reference its environment's SBOM %s: %+v", sbomRef.Digest, *(*bom.Components)[0].ExternalReferences)
	}
}
