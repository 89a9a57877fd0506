package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/evidence/oci"
	"lockstep.dev/lockstep/internal/evidence/oci/ocitest"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/store"
)

// registryWorld is a registry holding models pushed from a builder's store,
// and an admission webhook over a home that never saw them.
type registryWorld struct {
	t       *testing.T
	reg     *ocitest.Registry
	st      *store.Store // the builder's store the models are pushed from
	builder *attest.Signer
	dir     string // the webhook's policy files and keys
	wh      *Webhook
}

func newRegistryWorld(t *testing.T, kind ocitest.Kind) *registryWorld {
	t.Helper()
	w := &registryWorld{t: t, reg: ocitest.Start(t, kind), dir: t.TempDir()}
	var err error
	if w.st, err = store.Open(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.st.Close() })
	for _, k := range []string{"builder", "stranger"} {
		s, err := attest.GenerateKey("")
		if err != nil {
			t.Fatal(err)
		}
		if k == "builder" {
			w.builder = s
		}
		os.WriteFile(filepath.Join(w.dir, k+".pub"), s.PublicKey.PEM(), 0o644)
	}
	home := t.TempDir()
	st, err := store.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := sqlite.Open(context.Background(), filepath.Join(home, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close(); st.Close() })
	w.wh = &Webhook{Store: st, Catalog: cat}
	w.setPolicy("builder", "")
	return w
}

// setPolicy makes the webhook require provenance signed by key, with
// admission settings.
func (w *registryWorld) setPolicy(key, admission string) {
	w.t.Helper()
	src := "apiVersion: lockstep.dev/v1\nkind: Policy\nauthorities: {builders: [" + key + ".pub]}\nrequire: {provenance: {signedBy: builders}}\n"
	if admission != "" {
		src += "admission: " + admission + "\n"
	}
	pol, err := policy.Parse(filepath.Join(w.dir, "policy.yaml"), []byte(src))
	if err != nil {
		w.t.Fatal(err)
	}
	w.wh.Policy = pol
}

// push stores a model folder holding weights, pushes it to repo:tag with,
// if signed, a provenance bundle naming its tree attached, and returns the
// pinned reference (without oci://) and the tree's digest.
func (w *registryWorld) push(repoTag, weights string, signed bool) (string, core.Digest) {
	w.t.Helper()
	ctx := context.Background()
	dir := w.t.TempDir()
	os.WriteFile(filepath.Join(dir, "weights.bin"), []byte(weights), 0o644)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"arch":"x"}`), 0o644)
	d, tree, err := w.st.PutTree(ctx, dir, store.TreeOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	ref, err := oci.ParseReference(oci.Scheme + w.reg.Host + "/" + repoTag)
	if err != nil {
		w.t.Fatal(err)
	}
	m, err := oci.NewTreeModel(d, tree, oci.Info{Name: "m", Run: "r1", Created: time.Now()})
	if err != nil {
		w.t.Fatal(err)
	}
	var atts []oci.Attachment
	if signed {
		pred := map[string]any{"runDetails": map[string]any{"metadata": map[string]any{"invocationId": "r1", "finishedOn": time.Now().UTC().Format(time.RFC3339)}}}
		b, err := attest.Sign(ctx, attest.NewStatement([]attest.Subject{{Name: "train/model", Digest: d}}, attest.ProvenancePredicateType, pred), w.builder)
		if err != nil {
			w.t.Fatal(err)
		}
		atts = append(atts, oci.BundleAttachment(b, attest.ProvenancePredicateType, time.Now()))
	}
	pushed, err := oci.Push(ctx, w.st, ref, m, atts)
	if err != nil {
		w.t.Fatal(err)
	}
	return ref.Context().Name() + "@" + string(pushed.Digest), d
}

// admit asks the webhook about a pod whose annotations are given.
func (w *registryWorld) admit(annotations map[string]string) *AdmissionResponse {
	w.t.Helper()
	ann, _ := json.Marshal(annotations)
	obj := `{"metadata":{"name":"p","annotations":` + string(ann) + `},"spec":{"containers":[{"name":"srv"},{"name":"side"}]}}`
	return w.wh.Admit(context.Background(), &AdmissionRequest{UID: "u", Kind: GroupVersionKind{Kind: "Pod"}, Operation: "CREATE", Name: "p", Namespace: "ml", Object: json.RawMessage(obj)})
}

// expectAdmit checks the verdict and that a denial's message has every want.
func expectAdmit(t *testing.T, r *AdmissionResponse, allowed bool, want ...string) {
	t.Helper()
	if r.Allowed != allowed {
		t.Fatalf("allowed = %v, want %v: %+v", r.Allowed, allowed, r.Result)
	}
	for _, s := range want {
		if r.Result == nil || !strings.Contains(r.Result.Message, s) {
			t.Errorf("message lacks %q:\n%+v", s, r.Result)
		}
	}
}

// TestAdmitModelsFromRegistry admits pods naming models in a real registry
// by OCI reference, judged by the provenance attached there alone (the
// webhook's home never saw the run).
func TestAdmitModelsFromRegistry(t *testing.T) {
	for _, kind := range []ocitest.Kind{ocitest.Referrers, ocitest.TagFallback} {
		t.Run(kind.String(), func(t *testing.T) {
			w := newRegistryWorld(t, kind)
			pinned, tree := w.push("team/m:v1", "weights 1", true)
			tag := oci.Scheme + w.reg.Host + "/team/m:v1"

			expectAdmit(t, w.admit(map[string]string{ModelAnnotation: oci.Scheme + pinned}), true)
			// Without oci://, per container, beside a tree digest's denial.
			expectAdmit(t, w.admit(map[string]string{ModelAnnotationPrefix + "srv": pinned, ModelAnnotationPrefix + "side": digestA}), false,
				`container "side": model `+digestA+` fails policy: provenance: no provenance`)
			if msg := w.admit(map[string]string{ModelAnnotationPrefix + "srv": pinned, ModelAnnotationPrefix + "side": digestA}).Result.Message; strings.Contains(msg, `"srv"`) {
				t.Errorf("the pinned model of srv was denied: %s", msg)
			}

			expectAdmit(t, w.admit(map[string]string{ModelAnnotation: tag}), false,
				`lockstep denied pod ml/p: containers "srv", "side": model `+tag+` is named by tag "v1" without a digest`, "pin the digest", "admission: {allowTags: true}")

			w.setPolicy("stranger", "")
			expectAdmit(t, w.admit(map[string]string{ModelAnnotation: pinned}), false,
				`containers "srv", "side": model `+oci.Scheme+pinned+` (tree `+string(tree)+`) fails policy: provenance: provenance signed by a key that is not trusted`)

			w.setPolicy("builder", "{allowTags: true}")
			expectAdmit(t, w.admit(map[string]string{ModelAnnotation: tag}), true)
			// The tag moved to a model nobody signed.
			moved, movedTree := w.push("team/m:v1", "weights 2", false)
			expectAdmit(t, w.admit(map[string]string{ModelAnnotation: tag}), false,
				"model "+tag+" (manifest "+strings.TrimPrefix(moved, w.reg.Host+"/team/m@")+", tree "+string(movedTree)+") fails policy: provenance: no provenance for "+string(movedTree))
		})
	}
}

// TestAdmitRegistryDown denies a model whose registry is stopped, naming
// the registry; with the cache, a verdict on the same manifest given
// before the registry stopped still stands.
func TestAdmitRegistryDown(t *testing.T) {
	w := newRegistryWorld(t, ocitest.Referrers)
	pinned, _ := w.push("team/m:v1", "weights 1", true)
	other, _ := w.push("team/other:v1", "weights 3", true)
	w.wh.Cache = NewCache(time.Minute)
	expectAdmit(t, w.admit(map[string]string{ModelAnnotation: pinned}), true)
	w.reg.Stop()
	expectAdmit(t, w.admit(map[string]string{ModelAnnotation: pinned}), true)
	expectAdmit(t, w.admit(map[string]string{ModelAnnotation: other}), false,
		`containers "srv", "side": model `+oci.Scheme+other+" could not be checked, so it is denied: registry "+w.reg.Host+" is unreachable: dial tcp "+w.reg.Host+": connect: connection refused")
	w.wh.Cache = nil
	expectAdmit(t, w.admit(map[string]string{ModelAnnotation: pinned}), false, "registry "+w.reg.Host+" is unreachable")
}

func TestRegistryProblem(t *testing.T) {
	ref, _ := name.ParseReference("registry.example.com/team/m:v1")
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&transport.Error{StatusCode: http.StatusUnauthorized}, "registry registry.example.com answered 401 Unauthorized: the webhook has no valid credentials for it (give its pod a Docker config with a login for registry.example.com"},
		{fmt.Errorf("%s: %w", ref, &transport.Error{StatusCode: http.StatusForbidden}), "registry registry.example.com answered 403 Forbidden: the webhook's credentials may not read this repository"},
		{&transport.Error{StatusCode: http.StatusNotFound}, "registry registry.example.com answered 404 Not Found"},
		{fmt.Errorf("head: %w", context.DeadlineExceeded), "registry registry.example.com did not answer in time"},
		{errors.New("not a model: manifest media type"), "not a model"},
	} {
		if got := unchecked(ref, tt.err); !strings.Contains(got, tt.want) || !strings.HasPrefix(got, "could not be checked, so it is denied: ") {
			t.Errorf("%v: %q, want it to contain %q", tt.err, got, tt.want)
		}
	}
}

// TestAdmitRegistryLogin: a model in a registry that asks for a login the
// webhook lacks is denied, naming the registry and the 401.
func TestAdmitRegistryLogin(t *testing.T) {
	w := newRegistryWorld(t, ocitest.Referrers)
	locked := ocitest.StartWithLogin(t, ocitest.TagFallback, "ml", "s3cret")
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	ref := oci.Scheme + locked.Host + "/team/m@" + string(core.DigestOf([]byte("a manifest")))
	expectAdmit(t, w.admit(map[string]string{ModelAnnotation: ref}), false,
		"registry "+locked.Host+" answered 401 Unauthorized: the webhook has no valid credentials for it")
}
