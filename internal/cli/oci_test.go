package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/evidence/oci/ocitest"
	"lockstep.dev/lockstep/internal/verify"
)

// TestPushPullVerifyRegistry pushes a signed run's model to a registry with
// and one without the referrers API, and checks it the ways a user would:
// lockstep verify and pull with the builder's key (and not with another),
// cosign verify-attestation on the manifest digest, oras discover listing
// the bundles; a tag moved to an unsigned model is refused.
func TestPushPullVerifyRegistry(t *testing.T) {
	for _, kind := range []ocitest.Kind{ocitest.Referrers, ocitest.TagFallback} {
		t.Run(kind.String(), func(t *testing.T) {
			reg := ocitest.Start(t, kind)
			p, keys := signedProject(t)
			key, pub, other := filepath.Join(keys, "builder.key"), filepath.Join(keys, "builder.pub"), filepath.Join(keys, "other.pub")
			p.mustRun(0, "run", "--sign-with", key)
			repo := reg.Host + "/team/m"
			var pushed struct {
				Manifest  string   `json:"manifest"`
				Subject   string   `json:"subject"`
				Referrers []string `json:"referrers"`
			}
			p.jsonOf(&pushed, "push", "last:train.model", "oci://"+repo+":v1", "--sign-with", key)
			// provenance, model signature, provenance about the manifest,
			// ML-BOM, scan report
			if len(pushed.Referrers) != 5 {
				t.Fatalf("push attached %d referrers, want 5: %+v", len(pushed.Referrers), pushed)
			}

			var rep verify.RegistryReport
			p.jsonOf(&rep, "verify", "oci://"+repo+":v1", "--key", pub)
			if !rep.Verified || rep.Manifest.String() != pushed.Manifest || rep.Digest.String() != pushed.Subject || !rep.ManifestAttested {
				t.Fatalf("verify report: %+v", rep)
			}
			if len(rep.Documents) != 2 || len(rep.Notes) != 0 {
				t.Errorf("verify lists documents %+v and notes %q; want the ML-BOM and the scan report, no notes", rep.Documents, rep.Notes)
			}
			if r := p.mustRun(1, "verify", "oci://"+repo+":v1", "--key", other); !strings.Contains(r.stdout, "not trusted") {
				t.Errorf("verify with another key:\n%s", r.stdout)
			}

			dest := filepath.Join(t.TempDir(), "model")
			if r := p.mustRun(1, "pull", "oci://"+repo+"@"+pushed.Manifest, dest, "--key", other); r.code == 0 {
				t.Fatal("pulled with an untrusted key")
			}
			if _, err := os.Lstat(dest); err == nil {
				t.Fatal("a refused pull wrote its destination")
			}
			p.mustRun(0, "pull", "oci://"+repo+"@"+pushed.Manifest, dest, "--key", pub)
			for _, f := range []string{"weights.bin", "config.json", "model.sig"} {
				if _, err := os.Stat(filepath.Join(dest, f)); err != nil {
					t.Errorf("pulled model lacks %s", f)
				}
			}
			if r := p.mustRun(0, "verify", dest, "--key", pub); !strings.Contains(r.stdout, "model signature") {
				t.Errorf("verify of the pulled folder:\n%s", r.stdout)
			}
			p.mustRun(2, "pull", "oci://"+repo+":v1", dest, "--key", pub)

			if cosign, err := exec.LookPath("cosign"); err == nil {
				root := filepath.Join(t.TempDir(), "trusted_root.json")
				os.WriteFile(root, []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`), 0o644)
				cmd := exec.Command(cosign, "verify-attestation", "--key", pub, "--type", "slsaprovenance1", "--new-bundle-format",
					"--insecure-ignore-tlog=true", "--allow-http-registry", "--trusted-root", root, repo+"@"+pushed.Manifest)
				cmd.Env = append(os.Environ(), "COSIGN_PASSWORD=")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("cosign verify-attestation refuses the pushed model: %v\n%s", err, out)
				}
			} else {
				t.Log("cosign is not on PATH (go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5): not checked with cosign")
			}
			if oras, err := exec.LookPath("oras"); err == nil {
				out, err := exec.Command(oras, "discover", "--plain-http", "--format", "json", repo+"@"+pushed.Manifest).Output()
				if err != nil {
					t.Fatalf("oras discover: %v", err)
				}
				var d struct {
					Referrers []struct {
						ArtifactType string `json:"artifactType"`
					} `json:"referrers"`
				}
				if err := json.Unmarshal(out, &d); err != nil {
					t.Fatal(err)
				}
				bundles := 0
				for _, r := range d.Referrers {
					if r.ArtifactType == "application/vnd.dev.sigstore.bundle.v0.3+json" {
						bundles++
					}
				}
				// go-containerregistry's registry names a referrer by its
				// config's media type in its index; the others by its own.
				if kind != ocitest.Referrers && bundles != 3 || len(d.Referrers) != 5 {
					t.Errorf("oras discover lists %d referrers, %d of them bundles; want 5, 3 bundles:\n%s", len(d.Referrers), bundles, out)
				}
			} else {
				t.Log("oras is not on PATH (go install oras.land/oras/cmd/oras@v1.3.6): not checked with oras")
			}

			// A bundle no trusted key made, among good ones: reported, not fatal.
			p.mustRun(0, "push", "last:train.model", "oci://"+repo+":v2", "--sign-with", filepath.Join(keys, "other.key"))
			var mixed verify.RegistryReport
			p.jsonOf(&mixed, "verify", "oci://"+repo+":v2", "--key", pub)
			if !mixed.Verified || mixed.ManifestAttested || len(mixed.Notes) != 1 || !strings.Contains(mixed.Notes[0], "not trusted") {
				t.Errorf("verify with a bundle by an untrusted key among the referrers: %+v", mixed)
			}

			// The tag moved to a model no trusted key vouches for.
			p.mustRun(0, "run", "--param", "n=5")
			p.mustRun(0, "push", "last:train.model", "oci://"+repo+":v1")
			if r := p.mustRun(1, "verify", "oci://"+repo+":v1", "--key", pub); !strings.Contains(r.stdout, "no provenance bundle attached") {
				t.Errorf("verify of a moved tag:\n%s", r.stdout)
			}
		})
	}
}

// TestExportOCILayout: a run exported as an OCI image layout verifies
// offline, from the layout alone, and again once oras has copied it,
// referrers included, into a registry.
func TestExportOCILayout(t *testing.T) {
	p, keys := signedProject(t)
	pub := filepath.Join(keys, "builder.pub")
	p.mustRun(0, "run", "--sign-with", filepath.Join(keys, "builder.key"))
	lay := filepath.Join(t.TempDir(), "layout")
	p.mustRun(0, "export", "last", lay, "--oci-layout")
	p.mustRun(2, "export", "last", lay, "--oci-layout")

	offline := *p
	offline.environ = append(append([]string{}, p.environ...), "LOCKSTEP_HOME="+filepath.Join(t.TempDir(), "none"))
	for _, tag := range []string{"train.model", "train.report"} {
		if r := offline.mustRun(0, "verify", "oci-layout://"+lay+":"+tag, "--key", pub); !strings.Contains(r.stdout, "verified") {
			t.Errorf("verify %s:\n%s", tag, r.stdout)
		}
	}
	offline.mustRun(1, "verify", "oci-layout://"+lay+":train.model", "--key", filepath.Join(keys, "other.pub"))
	dest := filepath.Join(t.TempDir(), "model")
	offline.mustRun(0, "pull", "oci-layout://"+lay+":train.model", dest, "--key", pub)
	if _, err := os.Stat(filepath.Join(dest, "model.sig")); err != nil {
		t.Errorf("pulled model lacks its signature: %v", err)
	}

	oras, err := exec.LookPath("oras")
	if err != nil {
		t.Skip("oras is not on PATH (go install oras.land/oras/cmd/oras@v1.3.6): the copy into a registry is not checked")
	}
	reg := ocitest.Start(t, ocitest.Referrers)
	if out, err := exec.Command(oras, "cp", "-r", "--from-oci-layout", lay+":train.model", "--to-plain-http", reg.Host+"/team/m:v1").CombinedOutput(); err != nil {
		t.Fatalf("oras cp: %v\n%s", err, out)
	}
	p.mustRun(0, "verify", "oci://"+reg.Host+"/team/m:v1", "--key", pub)
}
