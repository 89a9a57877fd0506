package evidence

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/sbom"
	"lockstep.dev/lockstep/internal/store"
)

// fixture is a finished run in a store and catalog: step "prepare" (started
// first) wrote the file "data", step "train" the model folder "model" and
// the plain folder "plots".
type fixture struct {
	st    *store.Store
	cat   catalog.Catalog
	rec   *core.RunRecord
	tasks map[string]*core.TaskRecord
	// bundles: provenance (twice signed) and the model signature.
	prov1, prov2, modelSig []byte
	// env is the environment both steps ran in; sbomSig signs its SBOM.
	env     core.Digest
	sbomSig []byte
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	h := home.OpenTemp(t)
	st, cat := h.Store, h.Catalog
	f := &fixture{st: st, cat: cat, prov1: []byte(`{"bundle":1}`), prov2: []byte(`{"bundle":2}`), modelSig: []byte(`{"model":1}`), sbomSig: []byte(`{"sbom":1}`)}
	put := func(b []byte) core.Digest {
		d, err := st.PutBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tree := func(files map[string]string) core.Digest {
		src := t.TempDir()
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		d, _, err := st.PutTree(ctx, src, store.TreeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	model := tree(map[string]string{"weights.safetensors": "w", "config.json": "{}"})
	f.env = put([]byte(`{"type":"environment"}`))
	f.tasks = map[string]*core.TaskRecord{
		"train": {Type: core.TaskType, Run: "r1", Step: "train", Status: core.StatusSucceeded, Started: base.Add(2 * time.Second), Environment: f.env,
			Outputs: map[string]core.Artifact{"model": {Digest: model, Kind: core.KindTree}, "plots": {Digest: tree(map[string]string{"loss.txt": "1"}), Kind: core.KindTree}}},
		"prepare": {Type: core.TaskType, Run: "r1", Step: "prepare", Status: core.StatusSucceeded, Started: base.Add(time.Second), Environment: f.env,
			Outputs: map[string]core.Artifact{"data": {Digest: put([]byte("a,b\n")), Kind: core.KindFile}}},
	}
	f.rec = &core.RunRecord{Type: core.RunType, ID: "r1", Flow: "housing", Status: core.StatusSucceeded, Started: base,
		Finished: base.Add(time.Minute), Tasks: map[string]core.Digest{}}
	for step, tr := range f.tasks {
		d, err := st.PutJSON(tr)
		if err != nil {
			t.Fatal(err)
		}
		f.rec.Tasks[step] = d
	}
	recDigest, err := st.PutJSON(f.rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.FinishRun(ctx, f.rec, recDigest); err != nil {
		t.Fatal(err)
	}
	p1, p2, ms, ss := put(f.prov1), put(f.prov2), put(f.modelSig), put(f.sbomSig)
	for i, row := range []catalog.AttestationRow{
		{Bundle: p1, Subject: f.tasks["prepare"].Outputs["data"].Digest, SubjectName: "prepare/data", PredicateType: attest.ProvenancePredicateType},
		{Bundle: p1, Subject: model, SubjectName: "train/model", PredicateType: attest.ProvenancePredicateType},
		{Bundle: ms, Subject: model, SubjectName: "train/model", PredicateType: attest.ModelPredicateType},
		{Bundle: p2, Subject: model, SubjectName: "train/model", PredicateType: attest.ProvenancePredicateType},
		{Bundle: ss, Subject: f.env, SubjectName: "environment", PredicateType: sbom.PredicateType},
	} {
		row.Run, row.Created = "r1", base.Add(time.Duration(i)*time.Second)
		if err := cat.PutAttestation(ctx, row); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// files lists the regular files below dir with their contents.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExportToFolderLaysOutEverythingVerifyNeeds(t *testing.T) {
	f := newFixture(t)
	dest := filepath.Join(t.TempDir(), "evidence")
	if err := ExportToFolder(context.Background(), f.st, f.cat, f.rec, f.tasks, dest); err != nil {
		t.Fatal(err)
	}
	got := files(t, dest)
	envFile := "environments/" + f.env.Hex()[:12]
	want := []string{
		"VERIFY.md", "artifacts/prepare/data", "artifacts/train/model/config.json", "artifacts/train/model/model.sig",
		"artifacts/train/model/weights.safetensors", "artifacts/train/plots/loss.txt", envFile + ".json", envFile + ".sbom.sigstore.json",
		"provenance-2.sigstore.json", "provenance.sigstore.json", "records/run.json", "records/tasks/prepare.json", "records/tasks/train.json", "trusted_root.json",
	}
	if !reflect.DeepEqual(sortedNames(got), want) {
		t.Errorf("exported files:\n%v\nwant\n%v", sortedNames(got), want)
	}
	for name, body := range map[string]string{
		"provenance.sigstore.json":        string(f.prov1),
		"provenance-2.sigstore.json":      string(f.prov2),
		"artifacts/train/model/model.sig": string(f.modelSig),
		"artifacts/prepare/data":          "a,b\n",
		"trusted_root.json":               emptyTrustedRoot,
		envFile + ".json":                 `{"type":"environment"}`,
		envFile + ".sbom.sigstore.json":   string(f.sbomSig),
	} {
		if got[name] != body {
			t.Errorf("%s = %q, want %q", name, got[name], body)
		}
	}
	verify := got["VERIFY.md"]
	cosign := "--trusted-root trusted_root.json artifacts/prepare/data\n    lockstep verify artifacts/train/model"
	if !strings.HasPrefix(verify, "# Evidence of run r1 (flow housing)") || !strings.Contains(verify, cosign) ||
		!strings.Contains(verify, "lockstep verify artifacts/train/plots --key builder.pub") {
		t.Errorf("VERIFY.md does not list the file with cosign, then the folders with lockstep, in start order:\n%s", verify)
	}
	if !strings.Contains(verify, "--bundle "+envFile+".sbom.sigstore.json --type cyclonedx --insecure-ignore-tlog=true --trusted-root trusted_root.json "+envFile+".json") {
		t.Errorf("VERIFY.md does not say how cosign verifies the environment's SBOM:\n%s", verify)
	}
	if fi, err := os.Stat(filepath.Join(dest, "artifacts/train/model/weights.safetensors")); err != nil || fi.Mode().Perm()&0o200 == 0 {
		t.Errorf("exported files must be writable copies: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(dest + ".partial"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s.partial left behind: %v", dest, err)
	}
}

func TestExportToFolderLeavesNothingWhenAnObjectIsMissing(t *testing.T) {
	f := newFixture(t)
	f.tasks["prepare"].Outputs["lost"] = core.Artifact{Digest: core.DigestOf([]byte("never stored")), Kind: core.KindFile}
	dest := filepath.Join(t.TempDir(), "evidence")
	err := ExportToFolder(context.Background(), f.st, f.cat, f.rec, f.tasks, dest)
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("err = %v, want store.ErrNotFound", err)
	}
	for _, p := range []string{dest, dest + ".partial"} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists after a failed export", p)
		}
	}
}

// recorder is a Sink that notes what it is given, as a registry push
// would.
type recorder []string

func (r *recorder) File(_ context.Context, name string, d core.Digest) error {
	*r = append(*r, "file "+name)
	return nil
}

func (r *recorder) Tree(_ context.Context, name string, d core.Digest) error {
	*r = append(*r, "tree "+name)
	return nil
}

func (r *recorder) Bytes(_ context.Context, name string, b []byte) error {
	*r = append(*r, "bytes "+name)
	return nil
}

func TestExportNamesEachPieceOnce(t *testing.T) {
	f := newFixture(t)
	var r recorder
	if err := Export(context.Background(), f.cat, f.rec, f.tasks, &r); err != nil {
		t.Fatal(err)
	}
	want := recorder{
		"file provenance.sigstore.json", "file provenance-2.sigstore.json", "file records/run.json",
		"file records/tasks/prepare.json", "file artifacts/prepare/data",
		"file records/tasks/train.json", "tree artifacts/train/model", "file artifacts/train/model/model.sig", "tree artifacts/train/plots",
		"file environments/" + f.env.Hex()[:12] + ".json", "file environments/" + f.env.Hex()[:12] + ".sbom.sigstore.json",
		"bytes trusted_root.json", "bytes VERIFY.md",
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Export gave the sink\n%v\nwant\n%v", r, want)
	}
}
