package cli

import (
	"context"
	"net"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/server"
)

type admissionOptions struct {
	policy, cert, key, listen string
	cacheTTL                  time.Duration
}

func newAdmissionCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{Use: "admission", Short: "Enforce a policy on Kubernetes workloads (validating admission webhook)"}
	var o admissionOptions
	serve := &cobra.Command{
		Use:   "serve --policy FILE --tls-cert CERT --tls-key KEY",
		Short: "Serve the admission webhook: deny pods whose models fail the policy",
		Long: `Serve admission.k8s.io/v1 AdmissionReview requests on /validate over HTTPS.
Pods, and the pod templates of Deployments, ReplicaSets, StatefulSets,
DaemonSets, Jobs and CronJobs, name each container's model with the
annotation lockstep.dev/model.CONTAINER (or lockstep.dev/model for all
containers) or the variable LOCKSTEP_MODEL_DIGEST: a tree digest (sha256:…)
or a model in a registry (oci://REGISTRY/REPOSITORY@sha256:…), resolved
with the Docker config's credentials, its attached provenance counting.
Every named model must pass the policy against this home's store and
catalog; with admission: {requireModel: true} every container must name
one. A registry reference by tag is denied unless admission: {allowTags:
true}; a registry that cannot be read denies.
See docs/admission.md for the Kubernetes manifests.

Exit codes: 0 stopped cleanly, 1 failed to serve, 2 bad usage.`,
		Example: `  lockstep admission serve --policy policy.yaml --tls-cert tls.crt --tls-key tls.key --listen :8443`,
		Args:    exactArgs(0, "no arguments"),
		RunE:    func(c *cobra.Command, args []string) error { return runAdmissionServe(c.Context(), o, g) },
	}
	f := serve.Flags()
	f.StringVar(&o.policy, "policy", "", "policy file (required)")
	f.StringVar(&o.cert, "tls-cert", "", "TLS certificate (PEM) the API server trusts (required)")
	f.StringVar(&o.key, "tls-key", "", "TLS private key (PEM) (required)")
	f.StringVar(&o.listen, "listen", ":8443", "address to listen on")
	f.DurationVar(&o.cacheTTL, "cache", 10*time.Second, "remember a model's verdict this long (0 disables)")
	c.AddCommand(serve)
	return c
}

func runAdmissionServe(ctx context.Context, o admissionOptions, g *globalOptions) error {
	if o.policy == "" || o.cert == "" || o.key == "" {
		return usageErrorf("admission serve needs --policy FILE, --tls-cert CERT and --tls-key KEY")
	}
	pol, err := loadPolicy(o.policy)
	if err != nil {
		return err
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	wh := &server.Webhook{Store: h.Store, Catalog: h.Catalog, Policy: pol}
	if o.cacheTTL > 0 {
		wh.Cache = server.NewCache(o.cacheTTL)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return usageErrorf("listen on %s: %v", o.listen, err)
	}
	newPrinter(g).info("admission webhook on https://%s/validate (policy %s, home %s)", ln.Addr(), pol.Path, h.Root)
	return server.ServeTLS(ctx, ln, wh.Handler(), o.cert, o.key)
}
