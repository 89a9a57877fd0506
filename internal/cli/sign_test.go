package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/verify"
)

const modelFlow = `flow: m
seed: 3
params: {n: 4}
steps:
  train:
    run: mkdir $LOCKSTEP_OUTPUT_DIR/model && printf 'weights %s' $LOCKSTEP_PARAM_N > $LOCKSTEP_OUTPUT_DIR/model/weights.bin && echo '{"arch":"x"}' > $LOCKSTEP_OUTPUT_DIR/model/config.json && echo done > $LOCKSTEP_OUTPUT_DIR/report.txt
    outputs:
      model: {path: model/, kind: model}
      report: report.txt
`

func signedProject(t *testing.T) (*project, string) {
	p := newProject(t, modelFlow, nil)
	p.environ = append(p.environ, "LOCKSTEP_PASSWORD=correct horse")
	keys := filepath.Join(p.dir, "keys")
	p.mustRun(0, "key", "generate", "builder", "--out", keys)
	p.mustRun(0, "key", "generate", "other", "--out", keys)
	if fi, err := os.Stat(filepath.Join(keys, "builder.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode: %v %v", fi, err)
	}
	return p, keys
}

func TestSignedRunVerifies(t *testing.T) {
	p, keys := signedProject(t)
	r := p.mustRun(0, "run", "--sign-with", filepath.Join(keys, "builder.key"))
	if !strings.Contains(r.stderr, "provenance signed by key SHA256:") {
		t.Errorf("run does not say it signed:\n%s", r.stderr)
	}
	report := filepath.Join(t.TempDir(), "report.txt")
	p.mustRun(0, "get", "last", "train.report", report)
	pub := filepath.Join(keys, "builder.pub")

	var rep verify.Report
	p.jsonOf(&rep, "verify", report, "--key", pub)
	if !rep.Verified || rep.Provenance == nil || rep.Provenance.Subject != "train/report" || rep.Provenance.KeyFile != "builder.pub" {
		t.Fatalf("verify report: %+v", rep)
	}
	if r := p.mustRun(0, "verify", report, "--key", pub); !strings.Contains(r.stdout, "built by   run ") || !strings.Contains(r.stdout, "signed by  builder.pub") {
		t.Errorf("verify output:\n%s", r.stdout)
	}
	// Wrong key, tampered artifact, unknown artifact: each its own message.
	if r := p.mustRun(1, "verify", report, "--key", filepath.Join(keys, "other.pub")); !strings.Contains(r.stdout, "not trusted") {
		t.Errorf("wrong key:\n%s", r.stdout)
	}
	os.WriteFile(report, []byte("done, honestly\n"), 0o644)
	if r := p.mustRun(1, "verify", report, "--key", pub); !strings.Contains(r.stdout, "no signed provenance") {
		t.Errorf("tampered artifact:\n%s", r.stdout)
	}

	// Export, then verify offline from the export alone (no home).
	exp := filepath.Join(t.TempDir(), "export")
	p.mustRun(0, "export", "last", exp)
	for _, f := range []string{"provenance.sigstore.json", "artifacts/train/report", "artifacts/train/model/model.sig", "records/run.json", "VERIFY.md"} {
		if _, err := os.Stat(filepath.Join(exp, f)); err != nil {
			t.Errorf("export lacks %s", f)
		}
	}
	offline := *p
	offline.environ = append(append([]string{}, p.environ...), "LOCKSTEP_HOME="+filepath.Join(t.TempDir(), "none"))
	offline.dir = exp
	offline.mustRun(0, "verify", "artifacts/train/report", "--key", pub, "--bundle", "provenance.sigstore.json")
	// The model folder's signature is checked file by file.
	if r := offline.mustRun(0, "verify", "artifacts/train/model", "--key", pub); !strings.Contains(r.stdout, "model signature") {
		t.Errorf("model verify:\n%s", r.stdout)
	}
	os.WriteFile(filepath.Join(exp, "artifacts/train/model/config.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(exp, "artifacts/train/model/extra.bin"), []byte("x"), 0o644)
	r = offline.mustRun(1, "verify", "artifacts/train/model", "--key", pub)
	if !strings.Contains(r.stdout, "changed  config.json") || !strings.Contains(r.stdout, "added    extra.bin") {
		t.Errorf("a changed model does not name its files:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "✓ model signature") {
		t.Errorf("a changed model's signature is shown as passed:\n%s", r.stdout)
	}

	if cosign, err := exec.LookPath("cosign"); err == nil {
		cmd := exec.Command(cosign, "verify-blob-attestation", "--key", pub, "--bundle", "provenance.sigstore.json",
			"--type", "https://slsa.dev/provenance/v1", "--insecure-ignore-tlog=true", "--trusted-root", "trusted_root.json", "artifacts/train/report")
		cmd.Dir = exp
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cosign rejects the exported provenance: %v\n%s", err, out)
		}
		cmd = exec.Command(cosign, "verify-blob-attestation", "--key", pub, "--bundle", "provenance.sigstore.json",
			"--type", "https://slsa.dev/provenance/v1", "--insecure-ignore-tlog=true", "--trusted-root", "trusted_root.json", "artifacts/train/model/config.json")
		cmd.Dir = exp
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("cosign accepts the provenance for a file it does not cover:\n%s", out)
		}
	} else if os.Getenv("CI") != "" {
		t.Errorf("cosign is not installed; CI installs it (go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5)")
	}
}

func TestUnsignedRunSaysSo(t *testing.T) {
	p, keys := signedProject(t)
	r := p.mustRun(0, "run")
	if !strings.Contains(r.stderr, "provenance is unsigned") {
		t.Errorf("run does not say its provenance is unsigned:\n%s", r.stderr)
	}
	out := filepath.Join(t.TempDir(), "report.txt")
	p.mustRun(0, "get", "last", "train.report", out)
	if r := p.mustRun(1, "verify", out, "--key", filepath.Join(keys, "builder.pub")); !strings.Contains(r.stdout, "no signed provenance") {
		t.Errorf("verify of an unsigned artifact:\n%s", r.stdout)
	}
	d := core.DigestOf([]byte("done\n"))
	if r := p.mustRun(0, "attestations", d.String()); r.stdout != "" {
		t.Errorf("attestations of an unsigned run: %q", r.stdout)
	}
}

func TestSigningKeyFromTheFlow(t *testing.T) {
	p, _ := signedProject(t)
	flow := strings.Replace(modelFlow, "steps:", "signing:\n  key: keys/builder.key\nsteps:", 1)
	os.WriteFile(filepath.Join(p.dir, "lockstep.yaml"), []byte(flow), 0o644)
	p.mustRun(0, "run")
	var rows []map[string]any
	p.jsonOf(&rows, "attestations", "last")
	types := map[string]bool{}
	for _, r := range rows {
		types[r["PredicateType"].(string)] = true
	}
	if !types["https://slsa.dev/provenance/v1"] || !types["https://model_signing/signature/v1.0"] {
		t.Errorf("attestations of a signed run: %v", rows)
	}
	bad := *p
	bad.environ = append(append([]string{}, p.environ...), "LOCKSTEP_PASSWORD=wrong")
	if r := bad.run("run", "--no-cache"); r.code != 2 || !strings.Contains(r.stderr, "passphrase") {
		t.Errorf("wrong passphrase: exit %d: %s", r.code, r.stderr)
	}
}

func TestRebuiltCatalogKeepsDatasetsAndEvidence(t *testing.T) {
	p, keys := signedProject(t)
	os.WriteFile(filepath.Join(p.dir, "numbers.csv"), []byte("a,b\n1,2\n"), 0o644)
	p.mustRun(0, "data", "add", "numbers@1", "numbers.csv", "--license", "CC0-1.0", "--sign-with", filepath.Join(keys, "builder.key"))
	p.mustRun(0, "run", "--sign-with", filepath.Join(keys, "builder.key"))
	report := filepath.Join(t.TempDir(), "report.txt")
	p.mustRun(0, "get", "last", "train.report", report)

	os.Remove(filepath.Join(p.dir, ".lockstep", "catalog.db"))
	os.Remove(filepath.Join(p.dir, ".lockstep", "catalog.db-wal"))
	os.Remove(filepath.Join(p.dir, ".lockstep", "catalog.db-shm"))
	// A fresh, empty catalog, then rebuilt from the store alone.
	p.mustRun(0, "init")
	r := p.mustRun(0, "check", "--rebuild-catalog")
	if !strings.Contains(r.stderr, "1 runs") || !strings.Contains(r.stderr, "1 datasets") {
		t.Errorf("rebuild: %s", r.stderr)
	}
	if r := p.mustRun(0, "data", "list"); !strings.Contains(r.stdout, "numbers") {
		t.Errorf("the dataset's name was not restored:\n%s", r.stdout)
	}
	p.mustRun(0, "verify", report, "--key", filepath.Join(keys, "builder.pub"))
}

// TestExportInstructionsRefuseImpostors follows the lockstep command an
// export's VERIFY.md gives, offline, on folders that are not the signed
// model: each must fail, and none may show a ✓.
func TestExportInstructionsRefuseImpostors(t *testing.T) {
	p, keys := signedProject(t)
	p.mustRun(0, "run", "--sign-with", filepath.Join(keys, "builder.key"))
	exp := filepath.Join(t.TempDir(), "ev")
	p.mustRun(0, "export", "last", exp)
	cp(t, filepath.Join(keys, "builder.pub"), filepath.Join(exp, "builder.pub"))
	readme, err := os.ReadFile(filepath.Join(exp, "VERIFY.md"))
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(readme), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "lockstep" && f[2] == "artifacts/train/model" {
			args = f[1:]
		}
	}
	if args == nil {
		t.Fatalf("VERIFY.md gives no lockstep command for the model:\n%s", readme)
	}
	offline := *p
	offline.environ = append(append([]string{}, p.environ...), "LOCKSTEP_HOME="+filepath.Join(t.TempDir(), "none"))
	offline.dir = exp
	offline.mustRun(0, args...)

	// Another run's model, signed with its own model.sig by the same key.
	p.mustRun(0, "run", "--param", "n=5", "--sign-with", filepath.Join(keys, "builder.key"))
	other := filepath.Join(t.TempDir(), "other")
	p.mustRun(0, "export", "last", other)
	other = filepath.Join(other, "artifacts/train/model")

	evil := filepath.Join(t.TempDir(), "evil")
	cp(t, filepath.Join(exp, "artifacts/train/model"), evil)
	os.Remove(filepath.Join(evil, "model.sig"))
	f, _ := os.OpenFile(filepath.Join(evil, "weights.bin"), os.O_WRONLY, 0)
	f.WriteAt([]byte("EVIL"), 3)
	f.Close()
	empty := t.TempDir()
	oneFile := t.TempDir()
	os.WriteFile(filepath.Join(oneFile, "weights.bin"), []byte("weights 4"), 0o644)
	for name, dir := range map[string]string{"tampered, signature removed": evil, "empty": empty, "one file": oneFile, "another run's model": other} {
		a := append([]string{}, args...)
		a[1] = dir
		r := offline.run(a...)
		if r.code != 1 || strings.Contains(r.stdout, "✓ provenance") || strings.HasSuffix(r.stdout, "verified\n") {
			t.Errorf("%s: exit %d, want 1 and no ✓ provenance\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		if dir != other && strings.Contains(r.stdout, "✓") {
			t.Errorf("%s: a ✓ for a check that failed:\n%s", name, r.stdout)
		}
		var rep verify.Report
		if r := offline.run(append(a, "--json")...); json.Unmarshal([]byte(r.stdout), &rep) != nil || rep.Verified || rep.Digest == "" {
			t.Errorf("%s --json: %s", name, r.stdout)
		}
	}
}

// cp copies a file or a directory tree, keeping modes.
func cp(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp %s %s: %v: %s", from, to, err, out)
	}
}

func TestAttestationsOfARunIncludeReviewsAndReproductions(t *testing.T) {
	p, keys := signedProject(t)
	key := filepath.Join(keys, "builder.key")
	p.mustRun(0, "run", "--sign-with", key)
	var runs []struct{ ID string }
	p.jsonOf(&runs, "runs")
	original := runs[0].ID
	p.mustRun(0, "review", "approve", original, "--key", filepath.Join(keys, "other.key"))
	p.mustRun(0, "reproduce", original, "--sign-with", key)
	var rows []map[string]any
	p.jsonOf(&rows, "attestations", original)
	count := map[string]int{}
	for _, r := range rows {
		count[r["PredicateType"].(string)]++
	}
	if count["https://slsa.dev/provenance/v1"] == 0 || count["https://lockstep.dev/review/v1"] != 1 || count["https://lockstep.dev/reproduction/v1"] == 0 {
		t.Errorf("attestations of the run: %v", count)
	}
}

func TestGetBringsTheModelSignature(t *testing.T) {
	p, keys := signedProject(t)
	p.mustRun(0, "run", "--sign-with", filepath.Join(keys, "builder.key"))
	dest := filepath.Join(t.TempDir(), "model")
	if r := p.mustRun(0, "get", "last", "train.model", dest); !strings.Contains(r.stdout, "with its signature model.sig") {
		t.Errorf("get of a signed model:\n%s", r.stdout)
	}
	if r := p.mustRun(0, "verify", dest, "--key", filepath.Join(keys, "builder.pub")); !strings.Contains(r.stdout, "✓ model signature") {
		t.Errorf("verify of the restored model:\n%s", r.stdout)
	}
	// Other outputs and the code come as they were.
	code := filepath.Join(t.TempDir(), "code")
	p.mustRun(0, "get", "last", "code", code)
	if _, err := os.Stat(filepath.Join(code, "model.sig")); err == nil {
		t.Error("get code wrote a model.sig")
	}
}
