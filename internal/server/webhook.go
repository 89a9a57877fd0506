package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/store"
)

// Webhook decides admission requests by a policy over one lockstep home's
// evidence. It is safe for concurrent use.
type Webhook struct {
	Store   *store.Store
	Catalog catalog.Catalog
	Policy  *policy.Policy
	// Cache remembers recent verdicts by digest; nil evaluates every time.
	Cache *Cache
}

// Admit answers one AdmissionRequest: it allows the workload when every
// container's model passes the policy (and, with admission.requireModel,
// when every container names one), and denies it otherwise with a message
// naming the container, the digest and the failed checks.
func (w *Webhook) Admit(ctx context.Context, req *AdmissionRequest) *AdmissionResponse {
	resp := &AdmissionResponse{UID: req.UID, Allowed: true}
	if req.Operation == "DELETE" || req.Operation == "CONNECT" || len(req.Object) == 0 {
		return resp // nothing new would run
	}
	tpl, err := podOf(req.Kind.Kind, req.Object)
	if err != nil {
		return deny(resp, http.StatusBadRequest, "BadRequest", "lockstep: "+err.Error())
	}
	if tpl == nil {
		resp.Warnings = []string{"lockstep: kind " + req.Kind.Kind + " has no pod template; not checked"}
		return resp
	}
	refs, err := modelRefs(tpl)
	if err != nil {
		return deny(resp, http.StatusForbidden, "Forbidden", "lockstep: "+err.Error())
	}
	what := describeObject(req)
	var problems []string
	named := map[string]bool{}
	for _, r := range refs {
		named[r.Container] = true
		d, err := parseRef(r)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		res, err := w.evaluate(ctx, d)
		if err != nil {
			problems = append(problems, fmt.Sprintf("container %q: model %s could not be checked: %v", r.Container, d, err))
			continue
		}
		if !res.Allowed {
			problems = append(problems, fmt.Sprintf("container %q: model %s fails policy: %s", r.Container, d, strings.Join(res.Failures(), "; ")))
		}
	}
	if w.Policy.Admission.RequireModel {
		for _, c := range append(append([]container{}, tpl.Spec.InitContainers...), tpl.Spec.Containers...) {
			if !named[c.Name] {
				problems = append(problems, fmt.Sprintf("container %q names no model (the policy requires one: annotate the pod with %s%s: sha256:<digest>)", c.Name, ModelAnnotationPrefix, c.Name))
			}
		}
	}
	if len(problems) > 0 {
		return deny(resp, http.StatusForbidden, "Forbidden", "lockstep denied "+what+": "+strings.Join(problems, "; "))
	}
	return resp
}

// evaluate runs the policy for d, through the cache when there is one.
func (w *Webhook) evaluate(ctx context.Context, d core.Digest) (*policy.Result, error) {
	eval := func() (*policy.Result, error) {
		return policy.Evaluate(ctx, w.Store, w.Catalog, w.Policy, policy.Target{Digest: d}, policy.Options{})
	}
	if w.Cache == nil {
		return eval()
	}
	return w.Cache.get(d, eval)
}

func deny(resp *AdmissionResponse, code int32, reason, msg string) *AdmissionResponse {
	resp.Allowed = false
	resp.Result = &Status{Code: code, Reason: reason, Message: msg}
	return resp
}

func describeObject(req *AdmissionRequest) string {
	s := strings.ToLower(req.Kind.Kind)
	if req.Namespace != "" {
		s += " " + req.Namespace + "/"
	} else {
		s += " "
	}
	if req.Name != "" {
		return s + req.Name
	}
	return s + "(new)"
}
