package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/evidence/oci"
	"lockstep.dev/lockstep/internal/policy"
	"lockstep.dev/lockstep/internal/verify"
)

// DefaultRegistryTimeout bounds resolving one model in a registry when
// Webhook.RegistryTimeout is 0: well inside the 10 seconds the API server
// waits for the webhook (deploy/admission-webhook.yaml).
const DefaultRegistryTimeout = 5 * time.Second

// judgeRegistry resolves the model at ref through its registry (with the
// credentials of the Docker config, as oci.Open reads them) and evaluates
// the policy on the tree its layers make up, the provenance attached there
// counting beside the home's. It returns why the model is denied, "" when
// it passes. A tag without a digest is denied unless the policy allows
// tags; a registry that cannot be read denies (fail closed).
func (w *Webhook) judgeRegistry(ctx context.Context, ref name.Reference) string {
	d, pinned := ref.(name.Digest)
	if !pinned && !w.Policy.Admission.AllowTags {
		return fmt.Sprintf("is named by tag %q without a digest, and a tag can be moved after admission: pin the digest (%s%s@sha256:<digest>, as `lockstep push` prints it) or allow tags in the policy (admission: {allowTags: true})",
			ref.Identifier(), oci.Scheme, ref.Context().Name())
	}
	timeout := w.RegistryTimeout
	if timeout <= 0 {
		timeout = DefaultRegistryTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rem *oci.Remote
	manifest := core.Digest("")
	if pinned {
		manifest = core.Digest(d.DigestStr())
	} else {
		var err error
		if rem, err = oci.Open(ctx, ref, oci.DefaultLimits); err != nil {
			return unchecked(ref, err)
		}
		manifest = rem.Model.Digest
	}
	res, err := w.cached(ref.Context().Name()+"@"+string(manifest), func() (*policy.Result, error) {
		if rem == nil {
			var err error
			if rem, err = oci.Open(ctx, ref, oci.DefaultLimits); err != nil {
				return nil, err
			}
		}
		rm, err := verify.RegistryEvidence(rem)
		if err != nil {
			return nil, err
		}
		return rm.Evaluate(ctx, w.Store, w.Catalog, w.Policy, policy.Options{})
	})
	if err != nil {
		return unchecked(ref, err)
	}
	if res.Allowed {
		return ""
	}
	if pinned {
		return fmt.Sprintf("(tree %s) %s", res.Subject, failures(res))
	}
	return fmt.Sprintf("(manifest %s, tree %s) %s", manifest, res.Subject, failures(res))
}

// unchecked says that the model at ref could not be checked, and why.
func unchecked(ref name.Reference, err error) string {
	return "could not be checked, so it is denied: " + registryProblem(ref.Context().RegistryStr(), err)
}

// registryProblem names the registry host and why reading from it failed:
// unauthorised, forbidden, another HTTP status, no answer in time, or
// unreachable.
func registryProblem(host string, err error) string {
	var te *transport.Error
	var op *net.OpError
	switch {
	case errors.As(err, &te) && te.StatusCode == http.StatusUnauthorized:
		return fmt.Sprintf("registry %s answered 401 Unauthorized: the webhook has no valid credentials for it (give its pod a Docker config with a login for %s; see docs/admission.md)", host, host)
	case errors.As(err, &te) && te.StatusCode == http.StatusForbidden:
		return fmt.Sprintf("registry %s answered 403 Forbidden: the webhook's credentials may not read this repository (grant its account pull access)", host)
	case errors.As(err, &te) && te.StatusCode != 0:
		return fmt.Sprintf("registry %s answered %d %s: %v", host, te.StatusCode, http.StatusText(te.StatusCode), err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("registry %s did not answer in time: %v", host, err)
	case errors.As(err, &op):
		return fmt.Sprintf("registry %s is unreachable: %v", host, op)
	}
	return err.Error()
}
