package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/evidence/oci/ocitest"
)

// TestVerifyRegistryWithPolicy evaluates a policy on a model pushed to a
// registry: in the home that made it and in one that never saw the run
// (the provenance attached in the registry counts there; the run's
// records do not exist there), with a policy trusting another key, and
// after the tag moved to an unsigned model.
func TestVerifyRegistryWithPolicy(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Referrers)
	p, keys := signedProject(t)
	key := filepath.Join(keys, "builder.key")
	p.mustRun(0, "run", "--sign-with", key)
	ref := "oci://" + reg.Host + "/team/m:v1"
	var pushed struct{ Manifest, Subject string }
	p.jsonOf(&pushed, "push", "last:train.model", ref, "--sign-with", key)

	writePolicy := func(name, builder, extra string) string {
		path := filepath.Join(p.dir, name)
		src := "apiVersion: lockstep.dev/v1\nkind: Policy\nauthorities: {builders: [keys/" + builder + ".pub]}\nrequire:\n  provenance: {signedBy: builders}\n" + extra
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := writePolicy("good.yaml", "builder", "")
	confined := writePolicy("confined.yaml", "builder", "  sandbox: confined\n")
	wrong := writePolicy("wrong.yaml", "other", "")

	var res struct {
		Ref, Manifest, Tree, Subject string
		Allowed                      bool
		Notes                        []string
	}
	p.jsonOf(&res, "verify", ref, "--policy", confined)
	if !res.Allowed || res.Manifest != pushed.Manifest || res.Tree != pushed.Subject || res.Subject != pushed.Subject {
		t.Fatalf("verify --policy of %s: %+v, pushed %+v", ref, res, pushed)
	}
	if len(res.Notes) != 2 || !strings.Contains(strings.Join(res.Notes, "\n"), "provenance about the manifest") {
		t.Errorf("notes (the model signature and the provenance restated about the manifest): %q", res.Notes)
	}
	r := p.mustRun(0, "verify", ref, "--policy", confined)
	for _, want := range []string{"  manifest " + pushed.Manifest, "  tree     " + pushed.Subject, "✓ provenance: signed by keys/builder.pub", "✓ sandbox", "allowed by policy"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("verify --policy output lacks %q:\n%s", want, r.stdout)
		}
	}

	// A home that never saw the run: the registry's provenance is enough
	// for the provenance rule, not for rules that need the run's records.
	elsewhere := &project{t: t, dir: t.TempDir()}
	for _, e := range p.environ {
		if !strings.HasPrefix(e, "LOCKSTEP_HOME=") {
			elsewhere.environ = append(elsewhere.environ, e)
		}
	}
	elsewhere.environ = append(elsewhere.environ, "LOCKSTEP_HOME="+filepath.Join(elsewhere.dir, ".lockstep"))
	elsewhere.mustRun(0, "init")
	pinned := "oci://" + reg.Host + "/team/m@" + pushed.Manifest
	if r := elsewhere.mustRun(0, "verify", pinned, "--policy", good); !strings.Contains(r.stdout, "✓ provenance: signed by keys/builder.pub") {
		t.Errorf("verify --policy in a home without the run:\n%s", r.stdout)
	}
	if r := elsewhere.mustRun(1, "verify", pinned, "--policy", confined); !strings.Contains(r.stdout, "✗ sandbox: no run is known for "+pushed.Subject) {
		t.Errorf("sandbox rule in a home without the run:\n%s", r.stdout)
	}

	r = p.mustRun(1, "verify", ref, "--policy", wrong)
	if !strings.Contains(r.stdout, "✗ provenance: provenance signed by a key that is not trusted") || !strings.Contains(r.stderr, "not allowed") {
		t.Errorf("verify --policy trusting another key:\n%s\n%s", r.stdout, r.stderr)
	}

	// The tag moved to a model no trusted key vouches for.
	p.mustRun(0, "run", "--param", "n=5")
	p.mustRun(0, "push", "last:train.model", ref)
	r = p.mustRun(1, "verify", ref, "--policy", good)
	if !strings.Contains(r.stdout, "✗ provenance: no provenance for") || strings.Contains(r.stdout, pushed.Subject) {
		t.Errorf("verify --policy of a moved tag:\n%s", r.stdout)
	}
	p.mustRun(2, "verify", ref, "--policy", good, "--bundle", "x.json")
}
