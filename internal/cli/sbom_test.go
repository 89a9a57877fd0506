package cli

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/capture"
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
	if spdx := p.mustRun(0, "sbom", "last", "a", "--format", "spdx").stdout; !strings.Contains(spdx, `"spdxVersion":"SPDX-2.3"`) {
		t.Errorf("SPDX SBOM:\n%.500s", spdx)
	}
	if r := p.run("sbom", "last", "--format", "xml"); r.code != 2 || !strings.Contains(r.stderr, "cyclonedx or spdx") {
		t.Errorf("--format xml: exit %d, %s", r.code, r.stderr)
	}

	os.WriteFile(mod, []byte("VALUE = 2\n"), 0o644)
	if r := p.mustRun(0, "run"); !strings.Contains(r.stdout+r.stderr, "2") {
		t.Logf("second run:\n%s\n%s", r.stdout, r.stderr)
	}
	if logs := p.mustRun(0, "logs", "last", "a").stdout; !strings.Contains(logs, "2") {
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
