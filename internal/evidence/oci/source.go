package oci

import (
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

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
		return nil, err
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
		return nil, err
	}
	return l.Compressed()
}

func (s *registrySource) referrers(d core.Digest, limit int) ([]Referrer, error) {
	idx, err := remote.Referrers(s.repo.Digest(string(d)), s.opts...)
	if err != nil {
		return nil, err
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
