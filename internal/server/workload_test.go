package server

import (
	"encoding/json"
	"strings"
	"testing"
)

const digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
const digestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

// podJSON is a Pod with two containers and the given annotations; the
// second container names its model in its environment.
func podJSON(annotations string) string {
	return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":` + annotations + `},
"spec":{"containers":[{"name":"srv","image":"srv:1"},{"name":"side","image":"side:1","env":[{"name":"LOCKSTEP_MODEL_DIGEST","value":"` + digestB + `"}]}]}}`
}

func TestModelRefs(t *testing.T) {
	template := `{"metadata":{"annotations":{"lockstep.dev/model.srv":"` + digestA + `"}},"spec":{"containers":[{"name":"srv"}]}}`
	tests := []struct {
		name, kind, object string
		want               string // container=digest@from, comma separated
		wantErr            string
	}{
		{"pod, per container and env", "Pod", podJSON(`{"lockstep.dev/model.srv":"` + digestA + `"}`),
			"srv=" + digestA + "@annotation lockstep.dev/model.srv,side=" + digestB + "@env LOCKSTEP_MODEL_DIGEST", ""},
		{"pod-wide annotation wins over env", "Pod", podJSON(`{"lockstep.dev/model":"` + digestA + `"}`),
			"srv=" + digestA + "@annotation lockstep.dev/model,side=" + digestA + "@annotation lockstep.dev/model", ""},
		{"no references", "Pod", `{"metadata":{},"spec":{"containers":[{"name":"srv"}]}}`, "", ""},
		{"annotation for a missing container", "Pod", podJSON(`{"lockstep.dev/model.web":"` + digestA + `"}`), "", "annotation lockstep.dev/model.web names no container of this pod (containers: side, srv)"},
		{"deployment", "Deployment", `{"metadata":{"name":"d"},"spec":{"template":` + template + `}}`, "srv=" + digestA + "@annotation lockstep.dev/model.srv", ""},
		{"statefulset", "StatefulSet", `{"spec":{"template":` + template + `}}`, "srv=" + digestA + "@annotation lockstep.dev/model.srv", ""},
		{"daemonset", "DaemonSet", `{"spec":{"template":` + template + `}}`, "srv=" + digestA + "@annotation lockstep.dev/model.srv", ""},
		{"job", "Job", `{"spec":{"template":` + template + `}}`, "srv=" + digestA + "@annotation lockstep.dev/model.srv", ""},
		{"cronjob", "CronJob", `{"spec":{"jobTemplate":{"spec":{"template":` + template + `}}}}`, "srv=" + digestA + "@annotation lockstep.dev/model.srv", ""},
		{"workload annotation reaches its pods", "Deployment", `{"metadata":{"annotations":{"lockstep.dev/model":"` + digestB + `"}},"spec":{"template":{"spec":{"containers":[{"name":"srv"}]}}}}`,
			"srv=" + digestB + "@annotation lockstep.dev/model", ""},
		{"init containers count", "Pod", `{"metadata":{"annotations":{"lockstep.dev/model.init":"` + digestA + `"}},"spec":{"initContainers":[{"name":"init"}],"containers":[{"name":"srv"}]}}`,
			"init=" + digestA + "@annotation lockstep.dev/model.init", ""},
		{"malformed", "Pod", `{"spec":[1]}`, "", "decode pod spec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := podOf(tt.kind, json.RawMessage(tt.object))
			var refs []ModelRef
			if err == nil {
				refs, err = modelRefs(tpl)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range refs {
				got = append(got, r.Container+"="+r.Value+"@"+r.From)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("refs\n got %s\nwant %s", strings.Join(got, ","), tt.want)
			}
		})
	}
	if tpl, err := podOf("ConfigMap", json.RawMessage(`{}`)); tpl != nil || err != nil {
		t.Errorf("ConfigMap: %v %v", tpl, err)
	}
}
