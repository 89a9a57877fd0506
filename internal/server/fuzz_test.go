package server

import (
	"context"
	"encoding/json"
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
		// Digests that parse would need a store; only malformed ones are
		// judged here, so the store is never reached.
		tpl, err := podOf(kind, object)
		if err == nil && tpl != nil {
			if refs, err := modelRefs(tpl); err == nil {
				for _, r := range refs {
					if _, err := parseRef(r); err == nil {
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
