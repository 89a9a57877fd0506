package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/policy"
)

func TestRequireModelDeniesWorkloadsWithoutContainers(t *testing.T) {
	objects := map[string]string{
		"Deployment without a template":  `{"kind":"Deployment","spec":{}}`,
		"CronJob without a job template": `{"kind":"CronJob","spec":{"schedule":"* * * * *"}}`,
		"Job with a null template":       `{"kind":"Job","spec":{"template":null}}`,
		"Pod with null containers":       `{"kind":"Pod","spec":{"containers":null}}`,
		"Pod without a spec":             `{"kind":"Pod"}`,
	}
	for name, obj := range objects {
		var k struct{ Kind string }
		json.Unmarshal([]byte(obj), &k)
		req := &AdmissionRequest{UID: "u", Kind: GroupVersionKind{Kind: k.Kind}, Operation: "CREATE", Object: json.RawMessage(obj)}
		strict := &Webhook{Policy: &policy.Policy{Admission: policy.Admission{RequireModel: true}}}
		r := strict.Admit(context.Background(), req)
		if r.Allowed || r.Result == nil || !strings.Contains(r.Result.Message, "no containers") {
			t.Errorf("%s under requireModel: %+v %+v", name, r, r.Result)
		}
		lax := &Webhook{Policy: &policy.Policy{}}
		if r := lax.Admit(context.Background(), req); !r.Allowed {
			t.Errorf("%s without requireModel: denied %+v", name, r.Result)
		}
	}
}

func TestManyContainersAreAnsweredAtOnce(t *testing.T) {
	var cs []string
	for i := range 20000 {
		cs = append(cs, fmt.Sprintf(`{"name":"c%d","env":[{"name":"LOCKSTEP_MODEL_DIGEST","value":"sha256:%064x"}]}`, i, i))
	}
	obj := `{"spec":{"containers":[` + strings.Join(cs, ",") + `]}}`
	url, client := webhookServer(t, true)
	start := time.Now()
	code, out := post(t, client, url, review("many", "Pod", obj))
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("20,000 containers took %v", took)
	}
	if code != http.StatusOK || out.Response.Allowed || !strings.Contains(out.Response.Result.Message, "20000 containers") {
		t.Fatalf("20,000 containers: status %d %+v", code, out)
	}
	if n := len(out.Response.Result.Message); n > 4096 {
		t.Errorf("the denial is %d bytes long", n)
	}
}

func TestOversizedReviewGets413(t *testing.T) {
	url, client := webhookServer(t, false)
	body := append(review("big", "Pod", `{"spec":{"containers":[{"name":"a"}]},"x":"`), bytes.Repeat([]byte("x"), 50<<20)...)
	body = append(body, `"}}`...)
	if code, _ := post(t, client, url, body); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 50 MiB review: status %d, want 413", code)
	}
	// Without a Content-Length (chunked), the same.
	resp, err := client.Post(url+"/validate", "application/json", struct{ *bytes.Reader }{bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("chunked 50 MiB review: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a chunked 50 MiB review: status %d, want 413", resp.StatusCode)
	}
}
