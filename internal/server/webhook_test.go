package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/store"
)

// webhookServer serves a webhook over HTTPS on loopback with a policy
// (requiring signed provenance) over an empty home, and returns its URL and
// a client that trusts its self-signed certificate.
func webhookServer(t testing.TB, requireModel bool) (string, *http.Client) {
	t.Helper()
	dir := t.TempDir()
	s, err := attest.GenerateKey("")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "builder.pub"), s.PublicKey.PEM(), 0o644)
	src := "apiVersion: lockstep.dev/v1\nkind: Policy\nauthorities: {builders: [builder.pub]}\nrequire: {provenance: {signedBy: builders}}\n"
	if requireModel {
		src += "admission: {requireModel: true}\n"
	}
	pol, err := policy.Parse(filepath.Join(dir, "policy.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := sqlite.Open(context.Background(), filepath.Join(dir, "home", "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, pool, err := WriteSelfSignedCert(dir, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	wh := &Webhook{Store: st, Catalog: cat, Policy: pol, Cache: NewCache(time.Minute)}
	go func() { done <- ServeTLS(ctx, ln, wh.Handler(), certFile, keyFile) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeTLS: %v", err)
		}
		cat.Close()
		st.Close()
	})
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return "https://" + ln.Addr().String(), client
}

// review wraps an object of kind in an AdmissionReview.
func review(uid, kind, object string) []byte {
	return []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"` + uid + `",
"kind":{"group":"","version":"v1","kind":"` + kind + `"},"resource":{"group":"","version":"v1","resource":"pods"},
"namespace":"ml","name":"p","operation":"CREATE","userInfo":{"username":"alice"},"object":` + object + `}}`)
}

// post sends a review and decodes the answer.
func post(t testing.TB, client *http.Client, url string, body []byte) (int, *AdmissionReview) {
	t.Helper()
	resp, err := client.Post(url+"/validate", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var out AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, &out
}

func TestWebhookOverHTTPS(t *testing.T) {
	url, client := webhookServer(t, true)
	plain := `{"metadata":{"name":"p"},"spec":{"containers":[{"name":"srv"}]}}`
	tests := []struct {
		name, kind, object string
		allowed            bool
		message            []string
	}{
		{"no model, required", "Pod", plain, false, []string{`lockstep denied pod ml/p: container "srv" names no model`, "lockstep.dev/model.srv: sha256:<digest>"}},
		{"unknown model", "Pod", podJSON(`{"lockstep.dev/model.srv":"` + digestA + `"}`), false,
			[]string{`container "srv": model ` + digestA + ` fails policy: provenance: no provenance for ` + digestA, `container "side": model ` + digestB + ` fails policy`}},
		{"not a digest", "Pod", `{"metadata":{"annotations":{"lockstep.dev/model":"latest"}},"spec":{"containers":[{"name":"srv"}]}}`, false,
			[]string{`container "srv": annotation lockstep.dev/model is "latest", not a model: write its tree digest (sha256:<64 hex digits>) or its OCI reference (oci://REGISTRY/REPOSITORY@sha256:<digest>)`}},
		{"deployment template", "Deployment", `{"spec":{"template":{"spec":{"containers":[{"name":"web"}]}}}}`, false, []string{`deployment ml/p: container "web" names no model`}},
		{"kind without pods", "ConfigMap", `{"data":{}}`, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := post(t, client, url, review("uid-"+tt.name, tt.kind, tt.object))
			if code != http.StatusOK || out.Response == nil {
				t.Fatalf("status %d", code)
			}
			r := out.Response
			if r.UID != "uid-"+tt.name || out.APIVersion != ReviewAPIVersion || out.Kind != ReviewKind {
				t.Errorf("response envelope: %+v", out)
			}
			if r.Allowed != tt.allowed {
				t.Fatalf("allowed = %v, want %v (%+v)", r.Allowed, tt.allowed, r.Result)
			}
			for _, m := range tt.message {
				if r.Result == nil || !strings.Contains(r.Result.Message, m) {
					t.Errorf("message lacks %q:\n%+v", m, r.Result)
				}
			}
			if !tt.allowed && r.Result.Code != http.StatusForbidden {
				t.Errorf("code %d", r.Result.Code)
			}
		})
	}
	if code, _ := post(t, client, url, []byte(`{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{}}`)); code != http.StatusBadRequest {
		t.Errorf("v1beta1 review: status %d", code)
	}
	if code, _ := post(t, client, url, []byte(`{`)); code != http.StatusBadRequest {
		t.Errorf("broken JSON: status %d", code)
	}
}

func TestWebhookAdmitsPodsWithoutModels(t *testing.T) {
	url, client := webhookServer(t, false)
	_, out := post(t, client, url, review("u1", "Pod", `{"spec":{"containers":[{"name":"srv"}]}}`))
	if !out.Response.Allowed {
		t.Fatalf("denied: %+v", out.Response.Result)
	}
	_, out = post(t, client, url, review("u2", "Pod", podJSON(`{}`)))
	if out.Response.Allowed {
		t.Fatal("a pod naming an unverified model was admitted")
	}
}

func TestAdmitIgnoresDeletes(t *testing.T) {
	wh := &Webhook{Policy: &policy.Policy{Admission: policy.Admission{RequireModel: true}}}
	r := wh.Admit(context.Background(), &AdmissionRequest{UID: "d", Kind: GroupVersionKind{Kind: "Pod"}, Operation: "DELETE"})
	if !r.Allowed || r.UID != "d" {
		t.Fatalf("a delete was judged: %+v", r)
	}
	r = wh.Admit(context.Background(), &AdmissionRequest{UID: "c", Kind: GroupVersionKind{Kind: "Pod"}, Operation: "CREATE",
		Object: json.RawMessage(`{"spec":{"containers":[{"name":"a"}]}}`)})
	if r.Allowed {
		t.Fatal("a create without a model was admitted under requireModel")
	}
}
