package cli

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// TestSBOMAndPatchedInstalledFile runs a step in a venv whose distribution
// has a RECORD: the SBOM lists it; after one of its files is patched, the
// step runs again rather than hitting the cache, and both the environment
// and the SBOM name the file, its package and both digests.
func TestSBOMAndPatchedInstalledFile(t *testing.T) {
	venv := venvWithMarker(t)
	site, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages"))
	body := "VALUE = 1\n"
	mod := filepath.Join(site[0], "marker_pkg.py")
	if err := os.WriteFile(mod, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	record := fmt.Sprintf("marker_pkg.py,sha256=%s,%d\nmarker_pkg-1.0.dist-info/METADATA,,\n", base64.RawURLEncoding.EncodeToString(sum[:]), len(body))
	os.WriteFile(filepath.Join(site[0], "marker_pkg-1.0.dist-info", "RECORD"), []byte(record), 0o644)

	p := newProject(t, "flow: s\nsteps:\n  a:\n    run: python3 -c \"import marker_pkg; print(marker_pkg.VALUE)\"\n    sandbox: none\n", nil)
	p.environ = setEnv(p.environ, "PATH", filepath.Join(venv, "bin")+":"+os.Getenv("PATH"))
	p.mustRun(0, "run")
	out := p.mustRun(0, "sbom", "last").stdout
	if !strings.Contains(out, `"purl":"pkg:pypi/marker-pkg@1.0"`) || !strings.Contains(out, `"specVersion":"1.6"`) {
		t.Fatalf("CycloneDX SBOM lacks marker-pkg:\n%.2000s", out)
	}
	if spdx := p.mustRun(0, "sbom", "last", "a", "--format", "spdx").stdout; !strings.Contains(spdx, `"spdxVersion":"SPDX-2.3"`) ||
		!strings.Contains(spdx, `"referenceLocator":"pkg:pypi/marker-pkg@1.0"`) {
		t.Errorf("SPDX SBOM:\n%.500s", spdx)
	}
	r := p.mustRun(0, "sbom", "last", "a", "--format", "spdx3")
	if !strings.HasPrefix(r.stdout, `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld"`) ||
		!strings.Contains(r.stdout, `"software_packageUrl":"pkg:pypi/marker-pkg@1.0"`) {
		t.Errorf("SPDX 3 SBOM:\n%.500s", r.stdout)
	}
	if d := core.DigestOf([]byte(strings.TrimSuffix(r.stdout, "\n"))); !strings.Contains(r.stderr, "sbom "+d.String()) {
		t.Errorf("sbom --format spdx3 does not print the digest of what it wrote (%s):\n%s", d, r.stderr)
	}
	if r := p.run("sbom", "last", "--format", "xml"); r.code != 2 || !strings.Contains(r.stderr, "use cyclonedx, spdx or spdx3") {
		t.Errorf("--format xml: exit %d, %s", r.code, r.stderr)
	}

	// A new size as well as new bytes: Python trusts a cached .pyc whose
	// source has the same size and the same mtime in whole seconds.
	os.WriteFile(mod, []byte("VALUE = 22\n"), 0o644)
	p.mustRun(0, "run")
	if logs := p.mustRun(0, "logs", "last", "a").stdout; !strings.Contains(logs, "22") {
		t.Errorf("the step did not run again after an installed file changed (cache hit?): %q", logs)
	}
	var envs map[string]capture.Environment
	p.jsonOf(&envs, "env", "last")
	files := envs["a"].Files
	if files == nil {
		t.Fatal("no installed_files in the environment")
	}
	i := slices.IndexFunc(files.Modified, func(c capture.ChangedFile) bool { return c.Path == mod })
	if i < 0 {
		t.Fatalf("modified %+v does not name %s", files.Modified, mod)
	}
	if c := files.Modified[i]; c.Package != "marker-pkg" || c.Expected != "sha256:"+fmt.Sprintf("%x", sum) || c.Actual == "" {
		t.Errorf("report %+v", c)
	}
	var doc struct {
		Components []struct {
			Name       string
			Properties []struct{ Name, Value string }
		}
	}
	json.Unmarshal([]byte(p.mustRun(0, "sbom", "last").stdout), &doc)
	found := false
	for _, c := range doc.Components {
		for _, pr := range c.Properties {
			found = found || c.Name == "marker-pkg" && pr.Name == "lockstep:file:modified" && strings.HasPrefix(pr.Value, mod)
		}
	}
	if !found {
		t.Error("the SBOM does not show the modified file on marker-pkg")
	}
}

// TestSignedRunSignsItsEnvironmentSBOM signs a run: the SBOM `lockstep
// sbom` writes for its step is signed (cosign verify-blob-attestation
// --type cyclonedx accepts it for the environment record and refuses a
// changed record), and the run's provenance and ML-BOM name its digest.
func TestSignedRunSignsItsEnvironmentSBOM(t *testing.T) {
	p, keys := signedProject(t)
	p.mustRun(0, "run", "--sign-with", filepath.Join(keys, "builder.key"))
	r := p.mustRun(0, "sbom", "last", "train")
	sbomDigest := core.DigestOf([]byte(strings.TrimSuffix(r.stdout, "\n")))
	if !strings.Contains(r.stderr, "sbom "+sbomDigest.String()) {
		t.Errorf("sbom does not print the digest of what it wrote (%s):\n%s", sbomDigest, r.stderr)
	}

	var rows []catalog.AttestationRow
	p.jsonOf(&rows, "attestations", "last")
	bundles := map[string]catalog.AttestationRow{}
	for _, row := range rows {
		bundles[row.PredicateType] = row
	}
	sbomRow, provRow := bundles["https://cyclonedx.org/bom"], bundles["https://slsa.dev/provenance/v1"]
	if sbomRow.Bundle == "" || sbomRow.SubjectName != "environment" || provRow.Bundle == "" {
		t.Fatalf("the signed run's attestations lack its SBOM or provenance: %+v", rows)
	}
	env := sbomRow.Subject
	if !strings.Contains(r.stderr, "environment "+env.String()) {
		t.Errorf("sbom names another environment than the signed one (%s):\n%s", env, r.stderr)
	}

	// The provenance lists the SBOM among its byproducts.
	var bundle struct {
		DSSEEnvelope struct{ Payload []byte } `json:"dsseEnvelope"`
	}
	json.Unmarshal([]byte(p.mustRun(0, "cat", provRow.Bundle.String()).stdout), &bundle)
	type descriptor struct {
		Name   string
		Digest map[string]string
	}
	var stmt struct {
		Predicate struct {
			RunDetails struct{ Byproducts []descriptor } `json:"runDetails"`
		}
	}
	json.Unmarshal(bundle.DSSEEnvelope.Payload, &stmt)
	if !slices.ContainsFunc(stmt.Predicate.RunDetails.Byproducts, func(b descriptor) bool {
		return b.Name == "sbom" && b.Digest["sha256"] == sbomDigest.Hex()
	}) {
		t.Errorf("the provenance's byproducts %+v do not name SBOM %s", stmt.Predicate.RunDetails.Byproducts, sbomDigest)
	}
	// The ML-BOM references it as a bom with its sha256.
	var mlbom struct {
		Components []struct {
			Name               string
			ExternalReferences []struct {
				Type   string
				URL    string
				Hashes []struct{ Alg, Content string }
			} `json:"externalReferences"`
		}
	}
	p.jsonOf(&mlbom, "bom", "last")
	var refs []string
	for _, c := range mlbom.Components {
		for _, ref := range c.ExternalReferences {
			if ref.Type == "bom" && len(ref.Hashes) == 1 {
				refs = append(refs, c.Name+" "+ref.Hashes[0].Alg+":"+ref.Hashes[0].Content)
			}
		}
	}
	if want := "train/model SHA-256:" + sbomDigest.Hex(); !slices.Equal(refs, []string{want}) {
		t.Errorf("the ML-BOM's bom references are %v, want %s", refs, want)
	}
	if out := p.mustRun(0, "bom", "last").stdout; !strings.Contains(out, "environment SBOM "+sbomDigest.String()) {
		t.Errorf("lockstep bom does not name the environment SBOM:\n%s", out)
	}

	// Signing again with another key, in each format.
	if r := p.mustRun(0, "sbom", "last", "--sign-with", filepath.Join(keys, "other.key")); !strings.Contains(r.stderr, "signed: bundle sha256:") {
		t.Errorf("sbom --sign-with does not say it signed:\n%s", r.stderr)
	}
	spdxDocs := map[string]string{} // predicate type: the document signed
	for _, format := range []string{"spdx", "spdx3"} {
		r := p.mustRun(0, "sbom", "last", "--format", format, "--sign-with", filepath.Join(keys, "other.key"))
		for _, typ := range []string{"https://spdx.dev/Document", "https://spdx.dev/Document/v3"} {
			if strings.Contains(r.stderr, "predicate type "+typ+" ") {
				spdxDocs[typ] = strings.TrimSuffix(r.stdout, "\n")
			}
		}
	}
	p.jsonOf(&rows, "attestations", env.String())
	byType := map[string][]catalog.AttestationRow{}
	for _, r := range rows {
		byType[r.PredicateType] = append(byType[r.PredicateType], r)
	}
	if n := len(byType["https://cyclonedx.org/bom"]); n != 2 {
		t.Errorf("%d signed SBOMs of environment %s, want the run's and the one sbom --sign-with made", n, env)
	}
	for _, typ := range []string{"https://spdx.dev/Document", "https://spdx.dev/Document/v3"} {
		if len(byType[typ]) != 1 || spdxDocs[typ] == "" || byType[typ][0].Subject != env {
			t.Errorf("signed SPDX documents of type %s: %+v (sbom printed %.80q)", typ, byType[typ], spdxDocs[typ])
		}
	}

	cosign, err := exec.LookPath("cosign")
	if err != nil {
		t.Skip("cosign is not on PATH; install it with: go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5")
	}
	work := t.TempDir()
	record := p.mustRun(0, "cat", env.String()).stdout
	for name, body := range map[string]string{
		"sbom.sigstore.json": p.mustRun(0, "cat", sbomRow.Bundle.String()).stdout,
		"env.json":           record,
		"changed-env.json":   strings.Replace(record, `"type"`, `"type" `, 1),
		"trusted_root.json":  `{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`,
	} {
		os.WriteFile(filepath.Join(work, name), []byte(body), 0o644)
	}
	// The export holds the record and the bundle, and VERIFY.md the command.
	exp := filepath.Join(t.TempDir(), "export")
	p.mustRun(0, "export", "last", exp)
	name := "environments/" + env.Hex()[:12]
	if b, _ := os.ReadFile(filepath.Join(exp, name+".json")); string(b) != record {
		t.Errorf("the export's %s.json is not the environment record", name)
	}
	if b, _ := os.ReadFile(filepath.Join(exp, "VERIFY.md")); !strings.Contains(string(b), "--type cyclonedx") {
		t.Errorf("VERIFY.md does not say how to verify the SBOM:\n%s", b)
	}
	cmd := exec.Command(cosign, "verify-blob-attestation", "--key", filepath.Join(keys, "builder.pub"), "--bundle", name+".sbom.sigstore.json",
		"--type", "cyclonedx", "--insecure-ignore-tlog=true", "--trusted-root", "trusted_root.json", name+".json")
	cmd.Dir = exp
	cmd.Env = append(os.Environ(), "HOME="+work, "TUF_ROOT="+filepath.Join(work, "tuf"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("cosign rejects the exported SBOM: %v\n%s", err, out)
	}
	// The SPDX bundles as `lockstep cat` writes them.
	os.WriteFile(filepath.Join(work, "spdx.sigstore.json"), []byte(p.mustRun(0, "cat", byType["https://spdx.dev/Document"][0].Bundle.String()).stdout), 0o644)
	os.WriteFile(filepath.Join(work, "spdx3.sigstore.json"), []byte(p.mustRun(0, "cat", byType["https://spdx.dev/Document/v3"][0].Bundle.String()).stdout), 0o644)
	for _, tt := range []struct {
		key, bundle, typ, blob string
		ok                     bool
	}{
		{"builder.pub", "sbom.sigstore.json", "cyclonedx", "env.json", true},
		{"builder.pub", "sbom.sigstore.json", "cyclonedx", "changed-env.json", false},
		{"other.pub", "spdx.sigstore.json", "spdx", "env.json", true},
		{"other.pub", "spdx.sigstore.json", "spdx", "changed-env.json", false},
		{"other.pub", "spdx3.sigstore.json", "https://spdx.dev/Document/v3", "env.json", true},
		{"other.pub", "spdx3.sigstore.json", "spdx", "env.json", false},
	} {
		cmd := exec.Command(cosign, "verify-blob-attestation", "--key", filepath.Join(keys, tt.key), "--bundle", tt.bundle,
			"--type", tt.typ, "--insecure-ignore-tlog=true", "--trusted-root", "trusted_root.json", tt.blob)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "HOME="+work, "TUF_ROOT="+filepath.Join(work, "tuf"))
		if out, err := cmd.CombinedOutput(); (err == nil) != tt.ok {
			t.Errorf("cosign verify-blob-attestation --type %s --bundle %s %s: err = %v, want success %v\n%s", tt.typ, tt.bundle, tt.blob, err, tt.ok, out)
		}
	}
}
