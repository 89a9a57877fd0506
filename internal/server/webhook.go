package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/store"
)

// Webhook decides admission requests by a policy over one lockstep home's
// evidence. It is safe for concurrent use.
type Webhook struct {
	Store   *store.Store
	Catalog catalog.Catalog
	Policy  *policy.Policy
	// Cache remembers recent verdicts by digest (a tree's, or a registry
	// model's manifest's); nil evaluates every time.
	Cache *Cache
	// RegistryTimeout bounds resolving one model named by an OCI reference
	// through its registry; 0 means DefaultRegistryTimeout.
	RegistryTimeout time.Duration
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
	what := describeObject(req)
	n := len(tpl.Spec.InitContainers) + len(tpl.Spec.Containers) + len(tpl.Spec.EphemeralContainers)
	switch {
	case n > MaxContainers:
		return deny(resp, http.StatusForbidden, "Forbidden", fmt.Sprintf("lockstep denied %s: it has %d containers; lockstep checks at most %d", what, n, MaxContainers))
	case n == 0 && w.Policy.Admission.RequireModel:
		return deny(resp, http.StatusForbidden, "Forbidden", "lockstep denied "+what+": it has no containers (no pod template, or containers: null), so none names a model, and the policy requires one")
	}
	refs, err := modelRefs(tpl)
	if err != nil {
		return deny(resp, http.StatusForbidden, "Forbidden", "lockstep: "+err.Error())
	}
	var problems []string
	named := map[string]bool{}
	judged := map[string]*verdict{} // each model is judged once per request
	var denied []*verdict
	for _, r := range refs {
		named[r.Container] = true
		m, err := parseModelName(r)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		v := judged[m.key()]
		if v == nil {
			v = &verdict{model: m, why: w.judge(ctx, m)}
			judged[m.key()] = v
			if v.why != "" {
				denied = append(denied, v)
			}
		}
		v.containers = append(v.containers, strconv.Quote(r.Container))
	}
	for _, v := range denied {
		what := "container "
		if len(v.containers) > 1 {
			what = "containers "
		}
		problems = append(problems, fmt.Sprintf("%s%s: model %s %s", what, strings.Join(v.containers, ", "), v.model, v.why))
	}
	if w.Policy.Admission.RequireModel {
		for _, c := range append(append([]container{}, tpl.Spec.InitContainers...), tpl.Spec.Containers...) {
			if !named[c.Name] {
				problems = append(problems, fmt.Sprintf("container %q names no model (the policy requires one: annotate the pod with %s%s: sha256:<digest> or oci://REGISTRY/REPOSITORY@sha256:<digest>)", c.Name, ModelAnnotationPrefix, c.Name))
			}
		}
	}
	if len(problems) > 0 {
		return deny(resp, http.StatusForbidden, "Forbidden", "lockstep denied "+what+": "+listProblems(problems))
	}
	return resp
}

// verdict is what a request found about one model, and which containers
// name it.
type verdict struct {
	model      modelName
	why        string // why it is denied; "" when it passes
	containers []string
}

// MaxContainers bounds the containers of one pod the webhook checks; a
// pod with more is denied (Kubernetes pods rarely have more than a few).
const MaxContainers = 256

// maxProblemsShown bounds the problems one denial lists.
const maxProblemsShown = 10

// judge evaluates the policy for the model m and returns why it fails (""
// when it passes).
func (w *Webhook) judge(ctx context.Context, m modelName) string {
	if m.OCI != nil {
		return w.judgeRegistry(ctx, m.OCI)
	}
	res, err := w.cached(m.key(), func() (*policy.Result, error) {
		return policy.Evaluate(ctx, w.Store, w.Catalog, w.Policy, policy.Target{Digest: m.Tree}, policy.Options{})
	})
	if err != nil {
		return fmt.Sprintf("could not be checked: %v", err)
	}
	return failures(res)
}

// failures says why res denies ("" when it allows).
func failures(res *policy.Result) string {
	if res.Allowed {
		return ""
	}
	return "fails policy: " + strings.Join(res.Failures(), "; ")
}

// listProblems joins problems for a denial, the first few only.
func listProblems(problems []string) string {
	if len(problems) <= maxProblemsShown {
		return strings.Join(problems, "; ")
	}
	return strings.Join(problems[:maxProblemsShown], "; ") + fmt.Sprintf("; and %d more", len(problems)-maxProblemsShown)
}

// cached runs eval, through the cache under key when there is one.
func (w *Webhook) cached(key string, eval func() (*policy.Result, error)) (*policy.Result, error) {
	if w.Cache == nil {
		return eval()
	}
	return w.Cache.get(key, eval)
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
