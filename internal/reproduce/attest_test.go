package reproduce

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/engine"
)

func TestAttestSignsTheReproducedOutputs(t *testing.T) {
	t.Parallel()
	needPython(t)
	p := newProject(t, map[string]string{"lockstep.yaml": noisyFlow, "noisy.py": noisyScript})
	orig := p.run(engine.Options{})
	res := p.reproduce(orig, Options{})
	signer, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := Attest(ctx, p.home.Store, p.home.Catalog, res, signer)
	if err != nil {
		t.Fatal(err)
	}
	rows := res.Rerun.Tasks["prepare"].Outputs["rows"].Digest
	stats := res.Rerun.Tasks["noisy"].Outputs["stats"].Digest
	if len(a.Subjects) != 1 || a.Subjects[0].Name != "prepare/rows" || a.Subjects[0].Digest != rows {
		t.Fatalf("subjects %+v, want only prepare/rows %s (the one output that reproduced)", a.Subjects, rows)
	}
	bundle, err := p.home.Store.ReadBytes(a.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	v, err := attest.Verify(bundle, []*attest.PublicKey{signer.PublicKey}, rows)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var pred Predicate
	if err := v.Statement.DecodePredicate(&pred); err != nil {
		t.Fatal(err)
	}
	if v.PredicateType != PredicateType || pred.OriginalRun != orig.Record.ID || pred.Rerun != res.Rerun.Record.ID || len(pred.Outputs) != 3 {
		t.Errorf("predicate %s %+v", v.PredicateType, pred)
	}
	if _, err := attest.Verify(bundle, []*attest.PublicKey{signer.PublicKey}, stats); !errors.Is(err, attest.ErrSubjectMismatch) {
		t.Errorf("verify for the output that differed: %v, want ErrSubjectMismatch", err)
	}
	other, _ := attest.GenerateKey("")
	if _, err := attest.Verify(bundle, []*attest.PublicKey{other.PublicKey}, rows); err == nil {
		t.Error("the bundle verifies with another key")
	}
	found, err := p.home.Catalog.Attestations(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Bundle != a.Bundle || found[0].PredicateType != PredicateType ||
		found[0].Run != res.Rerun.Record.ID || found[0].Signer != signer.PublicKey.Fingerprint() {
		t.Errorf("catalog attestations for %s: %+v", rows, found)
	}
}

func TestSignWithFlag(t *testing.T) {
	t.Parallel()
	needPython(t, "sklearn", "numpy")
	p := sklearnProject(t, "seed: 2")
	orig := p.run(engine.Options{})
	keyDir := t.TempDir()
	signer, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	pass := func() ([]byte, error) { return []byte("rebuild"), nil }
	key, pub := filepath.Join(keyDir, "rebuilder.key"), filepath.Join(keyDir, "rebuilder.pub")
	if err := signer.Save(key, pub, pass); err != nil {
		t.Fatal(err)
	}
	p.environ = append(p.environ, "LOCKSTEP_PASSWORD=rebuild")
	code, out := p.cli("reproduce", orig.Record.ID, "--sign-with", key)
	if code != 0 || !strings.Contains(out, "reproduction attested for 4 output(s)") {
		t.Fatalf("lockstep reproduce --sign-with: exit %d\n%s", code, out)
	}
	model := orig.Tasks["train"].Outputs["model"].Digest
	all, err := p.home.Catalog.Attestations(context.Background(), model)
	var found []catalog.AttestationRow
	for _, a := range all {
		if a.PredicateType == PredicateType {
			found = append(found, a)
		}
	}
	if err != nil || len(found) != 1 || found[0].SubjectName != "train/model" {
		t.Fatalf("reproduction attestations of the model %s: %v %+v", model, err, all)
	}
	bundle, err := p.home.Store.ReadBytes(found[0].Bundle)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := attest.LoadPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := attest.Verify(bundle, []*attest.PublicKey{pk}, model); err != nil {
		t.Errorf("verify the model's reproduction attestation: %v", err)
	}
	if code, out := p.cli("reproduce", orig.Record.ID, "--sign-with", filepath.Join(keyDir, "absent.key")); code != 2 || !strings.Contains(out, "absent.key") {
		t.Errorf("a missing key: exit %d, want 2 naming it\n%s", code, out)
	}
}

func TestFlowSigningKeyOutsideTheSnapshot(t *testing.T) {
	t.Parallel()
	p := newProject(t, map[string]string{
		"lockstep.yaml": strings.Replace(copyFlow, "sandbox: none\n", "sandbox: none\nsigning:\n  key: keys/builder.key\n", 1),
		".gitignore":    "data/\nkeys/\n",
		"data/raw.csv":  "a\n1\n",
	})
	pass := func() ([]byte, error) { return []byte("pw"), nil }
	builder, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(p.dir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := builder.Save(filepath.Join(p.dir, "keys/builder.key"), filepath.Join(p.dir, "keys/builder.pub"), pass); err != nil {
		t.Fatal(err)
	}
	orig := p.run(engine.Options{Signer: builder})

	p.environ = append(p.environ, "LOCKSTEP_PASSWORD=pw")
	code, out := p.cli("reproduce", orig.Record.ID)
	if code != 2 || !strings.Contains(out, "keys/builder.key") || !strings.Contains(out, "--sign-with") {
		t.Fatalf("reproduce without a key: exit %d, want 2 naming keys/builder.key and --sign-with\n%s", code, out)
	}
	rebuilder, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "rebuilder.key")
	if err := rebuilder.Save(key, key+".pub", pass); err != nil {
		t.Fatal(err)
	}
	if code, out := p.cli("reproduce", orig.Record.ID, "--sign-with", key); code != 0 || !strings.Contains(out, "reproduced") {
		t.Fatalf("reproduce signed by the rebuilder: exit %d\n%s", code, out)
	}
	rows, err := p.home.Catalog.Runs(context.Background(), 1)
	if err != nil || len(rows) != 1 {
		t.Fatal(rows, err)
	}
	atts, err := p.home.Catalog.RunAttestations(context.Background(), rows[0].ID)
	if err != nil || len(atts) == 0 || atts[0].Signer != rebuilder.PublicKey.Fingerprint() {
		t.Errorf("the rerun's attestations %+v (%v), want signed by the rebuilder", atts, err)
	}
}
