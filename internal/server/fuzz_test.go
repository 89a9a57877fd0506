package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/policy"
)

// FuzzAdmit feeds arbitrary objects of every kind to Admit under a policy
// that requires nothing: it must answer, never panic, and deny only with a
// message.
func FuzzAdmit(f *testing.F) {
	f.Add("Pod", []byte(podJSON(`{"lockstep.dev/model.srv":"`+digestA+`"}`)))
	f.Add("CronJob", []byte(`{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}}}`))
	f.Add("Deployment", []byte(`{"metadata":{"annotations":{"lockstep.dev/model.x":"y"}},"spec":{"template":null}}`))
	f.Add("Pod", []byte(`null`))
	f.Add("Pod", []byte(`{"spec":{"containers":null}}`))
	f.Add("CronJob", []byte(`{"metadata":{}}`))
	wh := &Webhook{Policy: &policy.Policy{}}
	f.Fuzz(func(t *testing.T, kind string, object []byte) {
		if !json.Valid(object) {
			return
		}
		// References that parse would need a store or a registry; only
		// malformed ones are judged here, so neither is reached.
		tpl, err := podOf(kind, object)
		if err == nil && tpl != nil {
			if refs, err := modelRefs(tpl); err == nil {
				for _, r := range refs {
					if _, err := parseModelName(r); err == nil {
						return
					}
				}
			}
		}
		r := wh.Admit(context.Background(), &AdmissionRequest{UID: "u", Kind: GroupVersionKind{Kind: kind}, Object: object})
		if r.UID != "u" || (!r.Allowed && (r.Result == nil || r.Result.Message == "")) {
			t.Fatalf("bad response %+v", r)
		}
	})
}

// FuzzParseModelName reads arbitrary model references: it must never
// panic; a value starting with sha256: is a tree digest or refused; a
// registry reference it accepts is named again the same way, and reads
// back to the same reference.
func FuzzParseModelName(f *testing.F) {
	for _, s := range []string{digestA, "oci://registry.example.com/team/m@" + digestA, "registry.example.com:5000/team/m:v1",
		"localhost/m:v1", "team/m:v1", "latest", "oci://", "oci://a/b", "sha256:", "registry.example.com/Team/m@sha256:zz", "oci://x.io/m:v1@" + digestB} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := ModelRef{Container: "c", Value: s, From: "annotation " + ModelAnnotation}
		m, err := parseModelName(r)
		if err != nil {
			if !strings.Contains(err.Error(), `container "c": annotation lockstep.dev/model`) {
				t.Fatalf("%q: error %v does not name the container and the annotation", s, err)
			}
			return
		}
		if (m.OCI == nil) != strings.HasPrefix(s, "sha256:") {
			t.Fatalf("%q read as %+v", s, m)
		}
		again, err := parseModelName(ModelRef{Container: "c", Value: m.String()})
		if err != nil || again.String() != m.String() {
			t.Fatalf("%q: named %q, which reads back as %q, %v", s, m.String(), again.String(), err)
		}
	})
}
