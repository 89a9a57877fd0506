package oci

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"lockstep.dev/lockstep/internal/core"
)

// registrySource reads from a repository of a registry.
type registrySource struct {
	repo name.Repository
	opts []remote.Option
}

func (s *registrySource) manifest(d core.Digest, limit int64) ([]byte, error) {
	desc, err := remote.Get(s.repo.Digest(string(d)), s.opts...)
	if err != nil {
		return nil, explain(s.repo, err)
	}
	if int64(len(desc.Manifest)) > limit {
		return nil, fmt.Errorf("manifest %s of %d bytes: %w of %d", d.Short(), len(desc.Manifest), ErrTooLarge, limit)
	}
	if core.DigestOf(desc.Manifest) != d {
		return nil, fmt.Errorf("the registry served another manifest for %s", d)
	}
	return desc.Manifest, nil
}

func (s *registrySource) blob(d core.Digest) (io.ReadCloser, error) {
	l, err := remote.Layer(s.repo.Digest(string(d)), s.opts...)
	if err != nil {
		return nil, explain(s.repo, err)
	}
	rc, err := l.Compressed()
	return rc, explain(s.repo, err)
}

// checksBlobs: go-containerregistry's blob reader hashes what it streams
// and fails at the end on a digest or size mismatch.
func (s *registrySource) checksBlobs() bool { return true }

func (s *registrySource) referrers(d core.Digest, limit int) ([]Referrer, error) {
	idx, err := remote.Referrers(s.repo.Digest(string(d)), s.opts...)
	if err != nil {
		return nil, explain(s.repo, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(im.Manifests) > limit {
		return nil, fmt.Errorf("%d referrers: %w of %d", len(im.Manifests), ErrTooLarge, limit)
	}
	out := make([]Referrer, 0, len(im.Manifests))
	for _, m := range im.Manifests {
		out = append(out, Referrer{Digest: core.Digest(m.Digest.String()), ArtifactType: m.ArtifactType, Annotations: m.Annotations})
	}
	return out, nil
}

// ErrUnauthorized is wrapped when a registry refuses the request for want
// of a login (401) or of access (403).
var ErrUnauthorized = errors.New("the registry refused access")

// explain turns a registry's 401 or 403 into an error that says what to
// do and wraps both ErrUnauthorized and the registry's answer; other
// errors are returned as they are.
func explain(repo name.Repository, err error) error {
	var terr *transport.Error
	if !errors.As(err, &terr) {
		return err
	}
	host := repo.RegistryStr()
	switch terr.StatusCode {
	case http.StatusUnauthorized:
		return &accessError{fmt.Sprintf("%v (401 Unauthorized from %s): log in with `docker login %s` (lockstep reads the Docker config and its credential helpers, as docker, oras and cosign do)", ErrUnauthorized, host, host), terr}
	case http.StatusForbidden:
		return &accessError{fmt.Sprintf("%v (403 Forbidden from %s): the login has no access to %s; ask the registry's owner", ErrUnauthorized, host, repo.RepositoryStr()), terr}
	}
	return err
}

// accessError is a 401 or 403 explained.
type accessError struct {
	msg    string
	answer *transport.Error
}

func (e *accessError) Error() string   { return e.msg }
func (e *accessError) Unwrap() []error { return []error{ErrUnauthorized, e.answer} }
