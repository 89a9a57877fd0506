package server

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/evidence/oci"
)

// maxModelRef bounds a model reference's length (a registry host, a
// repository path and a digest fit in far less).
const maxModelRef = 1024

// modelName is what a container's model reference names: a stored tree by
// its digest, or a model in an OCI registry.
type modelName struct {
	Tree core.Digest    // sha256:... as written; "" for a registry model
	OCI  name.Reference // nil for a tree
}

// String is the reference as messages name it: the digest, or the
// registry reference with its oci:// scheme.
func (m modelName) String() string {
	if m.OCI != nil {
		return oci.Scheme + m.OCI.String()
	}
	return string(m.Tree)
}

// key is what a request judges once: the digest, or the reference.
func (m modelName) key() string { return m.String() }

// parseModelName reads a container's model reference: sha256:<hex> is a
// stored tree's digest; oci://REGISTRY/REPOSITORY@sha256:<hex> (or :TAG)
// names a model in a registry, and so does the same without oci:// when
// its first component is a registry host (it has a dot or a port, or is
// localhost), which a tree digest never is.
func parseModelName(r ModelRef) (modelName, error) {
	s := r.Value
	if strings.HasPrefix(s, core.DigestPrefix) {
		d, err := core.ParseDigest(s)
		if err != nil {
			return modelName{}, r.badName("a tree digest needs 64 lowercase hex digits")
		}
		return modelName{Tree: d}, nil
	}
	if len(s) > maxModelRef {
		return modelName{}, fmt.Errorf("container %q: %s is %d bytes long; a model reference is at most %d", r.Container, r.From, len(s), maxModelRef)
	}
	rest, scheme := strings.CutPrefix(s, oci.Scheme)
	if !scheme && !registryHost(rest) {
		return modelName{}, r.badName("")
	}
	ref, err := name.ParseReference(rest, name.StrictValidation)
	if err != nil {
		return modelName{}, r.badName(err.Error())
	}
	return modelName{OCI: ref}, nil
}

// registryHost reports whether s starts with a registry host, as Docker
// tells a host from a repository path: a first component with a dot or a
// colon, or localhost.
func registryHost(s string) bool {
	host, _, ok := strings.Cut(s, "/")
	return ok && (strings.ContainsAny(host, ".:") || host == "localhost")
}

// badName says that r names no model and how to write one.
func (r ModelRef) badName(why string) error {
	if why != "" {
		why += "; "
	}
	return fmt.Errorf("container %q: %s is %s, not a model: %swrite its tree digest (sha256:<64 hex digits>) or its OCI reference (oci://REGISTRY/REPOSITORY@sha256:<digest>)", r.Container, r.From, core.Excerpt(r.Value), why)
}
