package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Scheme prefixes a registry reference on lockstep's command line.
const Scheme = "oci://"

// ParseReference parses oci://REGISTRY/REPOSITORY[:TAG|@sha256:...]. A
// reference without a tag or digest is refused rather than read as
// :latest.
func ParseReference(s string) (name.Reference, error) {
	rest, ok := strings.CutPrefix(s, Scheme)
	if !ok {
		return nil, fmt.Errorf("%q: want oci://REGISTRY/REPOSITORY:TAG or oci://REGISTRY/REPOSITORY@sha256:HEX", s)
	}
	ref, err := name.ParseReference(rest, name.StrictValidation)
	if err != nil {
		return nil, fmt.Errorf("%q: %w (want oci://REGISTRY/REPOSITORY:TAG or @sha256:HEX)", s, err)
	}
	return ref, nil
}

// Attachment is a piece of evidence attached to a model as a referrer.
type Attachment struct {
	ArtifactType string // the referrer manifest's artifactType
	MediaType    string // its one layer's media type
	Data         []byte
	Annotations  map[string]string
}

// BundleAttachment is a Sigstore bundle holding a DSSE-signed statement of
// predicateType, attached as cosign's bundle specification says.
func BundleAttachment(bundle []byte, predicateType string, created time.Time) Attachment {
	ann := map[string]string{AnnotationBundleContent: "dsse-envelope", AnnotationPredicateType: predicateType}
	if !created.IsZero() {
		ann[annotationCreated] = created.UTC().Format(time.RFC3339)
	}
	return Attachment{ArtifactType: ArtifactTypeBundle, MediaType: ArtifactTypeBundle, Data: bundle, Annotations: ann}
}

// referrerManifest is the manifest of a attached to the manifest subject.
func (a Attachment) referrerManifest(subject descriptor) ([]byte, error) {
	m := manifest{
		SchemaVersion: 2,
		MediaType:     mediaTypeManifest,
		ArtifactType:  a.ArtifactType,
		Config:        descriptor{MediaType: mediaTypeEmpty, Digest: core.DigestOf(emptyJSON), Size: int64(len(emptyJSON))},
		Layers:        []descriptor{{MediaType: a.MediaType, Digest: core.DigestOf(a.Data), Size: int64(len(a.Data))}},
		Subject:       &subject,
		Annotations:   a.Annotations,
	}
	return json.Marshal(m)
}

// Pushed is what Push wrote.
type Pushed struct {
	Ref       string        // the reference pushed to, as given
	Digest    core.Digest   // the model manifest's digest
	Referrers []core.Digest // the attachments' manifest digests, in order
}

// DefaultOptions are the registry options of every command: credentials
// from the Docker config and its credential helpers (as docker, oras and
// cosign read them), and ctx.
func DefaultOptions(ctx context.Context) []remote.Option {
	return []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
}

// Push uploads model m, whose files are read from st, to ref, then each
// attachment as a referrer of it. Blobs the registry has are not sent
// again. A tag is moved to the model only once all its layers are up.
func Push(ctx context.Context, st *store.Store, ref name.Reference, m *Model, attachments []Attachment, opts ...remote.Option) (*Pushed, error) {
	opts = append(DefaultOptions(ctx), opts...)
	img, err := partial.CompressedToImage(&artifactImage{raw: m.Manifest, config: m.Config, files: m.Files, st: st})
	if err != nil {
		return nil, err
	}
	if err := remote.Write(ref, img, opts...); err != nil {
		return nil, fmt.Errorf("push %s: %w", ref, explain(ref.Context(), err))
	}
	out := &Pushed{Ref: ref.String(), Digest: m.Digest}
	subject := descriptor{MediaType: mediaTypeManifest, Digest: m.Digest, Size: int64(len(m.Manifest)), ArtifactType: ArtifactTypeModel}
	for _, a := range attachments {
		raw, err := a.referrerManifest(subject)
		if err != nil {
			return nil, err
		}
		d := core.DigestOf(raw)
		img, err := partial.CompressedToImage(&artifactImage{raw: raw, config: emptyJSON, blob: a.Data})
		if err != nil {
			return nil, err
		}
		if err := remote.Write(ref.Context().Digest(string(d)), img, opts...); err != nil {
			return nil, fmt.Errorf("push %s: attach %s: %w", ref, a.ArtifactType, explain(ref.Context(), err))
		}
		out.Referrers = append(out.Referrers, d)
	}
	return out, nil
}

// artifactImage is a manifest with its config and layers, as
// go-containerregistry's writer takes it: a model's layers are read from
// the store (verified as they are read); a referrer's one layer is blob.
type artifactImage struct {
	raw, config []byte
	files       []File
	st          *store.Store
	blob        []byte
}

func (a *artifactImage) RawManifest() ([]byte, error) { return a.raw, nil }
func (a *artifactImage) RawConfigFile() ([]byte, error) {
	return a.config, nil
}
func (a *artifactImage) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

func (a *artifactImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	d := core.Digest(h.String())
	if a.blob != nil && core.DigestOf(a.blob) == d {
		return bytesLayer{b: a.blob}, nil
	}
	for _, f := range a.files {
		if f.Digest == d {
			return objectLayer{f: f, st: a.st}, nil
		}
	}
	if core.DigestOf(a.config) == d {
		return bytesLayer{b: a.config}, nil
	}
	return nil, fmt.Errorf("no layer %s", d)
}

// objectLayer is a model file read from the store.
type objectLayer struct {
	f  File
	st *store.Store
}

func (l objectLayer) Digest() (v1.Hash, error)            { return v1.NewHash(string(l.f.Digest)) }
func (l objectLayer) Size() (int64, error)                { return l.f.Size, nil }
func (l objectLayer) MediaType() (types.MediaType, error) { return types.MediaType(l.f.MediaType), nil }
func (l objectLayer) Compressed() (io.ReadCloser, error)  { return l.st.Open(l.f.Digest) }

// bytesLayer is a small blob held in memory.
type bytesLayer struct{ b []byte }

func (l bytesLayer) Digest() (v1.Hash, error) { return v1.NewHash(string(core.DigestOf(l.b))) }
func (l bytesLayer) Size() (int64, error)     { return int64(len(l.b)), nil }
func (l bytesLayer) MediaType() (types.MediaType, error) {
	return types.MediaType("application/octet-stream"), nil
}
func (l bytesLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.b)), nil
}
