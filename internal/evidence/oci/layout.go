package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/partial"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// LayoutScheme prefixes an OCI image layout reference on lockstep's
// command line: oci-layout://DIR:TAG or oci-layout://DIR@sha256:HEX.
const LayoutScheme = "oci-layout://"

// annotationRefName names a manifest of a layout's index (its tag).
const annotationRefName = "org.opencontainers.image.ref.name"

// maxIndex bounds a layout's index.json.
const maxIndex = 16 << 20

// tagPattern is the OCI distribution spec's tag grammar.
var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)

// LayoutReference is a model in an OCI image layout: the layout's folder
// and a tag or a digest.
type LayoutReference struct {
	Dir    string
	Tag    string      // "" when Digest is set
	Digest core.Digest // "" when Tag is set
}

// String writes the reference back as oci-layout://DIR:TAG or @DIGEST.
func (r LayoutReference) String() string {
	if r.Digest != "" {
		return LayoutScheme + r.Dir + "@" + string(r.Digest)
	}
	return LayoutScheme + r.Dir + ":" + r.Tag
}

// ParseLayoutReference parses oci-layout://DIR:TAG or
// oci-layout://DIR@sha256:HEX; DIR may be relative.
func ParseLayoutReference(s string) (LayoutReference, error) {
	rest, ok := strings.CutPrefix(s, LayoutScheme)
	want := "want oci-layout://DIR:TAG or oci-layout://DIR@sha256:HEX"
	if !ok {
		return LayoutReference{}, fmt.Errorf("%q: %s", s, want)
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 && strings.HasPrefix(rest[i+1:], core.DigestPrefix) {
		dg, err := core.ParseDigest(rest[i+1:])
		if err != nil || i == 0 {
			return LayoutReference{}, fmt.Errorf("%q: %s", s, want)
		}
		return LayoutReference{Dir: rest[:i], Digest: dg}, nil
	}
	i := strings.LastIndex(rest, ":")
	if i <= 0 || strings.Contains(rest[i:], "/") || !tagPattern.MatchString(rest[i+1:]) {
		return LayoutReference{}, fmt.Errorf("%q: %s (a tag is [A-Za-z0-9_][A-Za-z0-9._-]*)", s, want)
	}
	return LayoutReference{Dir: rest[:i], Tag: rest[i+1:]}, nil
}

// OpenLayout reads the model a layout reference (oci-layout://...) names.
func OpenLayout(s string, lim Limits) (*Remote, error) {
	ref, err := ParseLayoutReference(s)
	if err != nil {
		return nil, err
	}
	src := &layoutSource{dir: ref.Dir, maxManifest: lim.Manifest}
	idx, err := src.index()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s, err)
	}
	var found *v1.Descriptor
	for i, m := range idx.Manifests {
		if (ref.Tag != "" && m.Annotations[annotationRefName] == ref.Tag) || (ref.Digest != "" && m.Digest.String() == string(ref.Digest)) {
			found = &idx.Manifests[i]
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%s: the layout's index names no such manifest", s)
	}
	return open(s, src, core.Digest(found.Digest.String()), found.Size, lim)
}

// layoutSource reads from an OCI image layout on disk; maxManifest bounds
// each manifest it reads while looking for referrers.
type layoutSource struct {
	dir         string
	maxManifest int64
}

func (s *layoutSource) index() (*v1.IndexManifest, error) {
	b, err := core.ReadFileLimited(filepath.Join(s.dir, "index.json"), maxIndex)
	if err != nil {
		return nil, err
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	return &idx, nil
}

func (s *layoutSource) manifest(d core.Digest, limit int64) ([]byte, error) {
	rc, err := s.blob(d)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("manifest %s: %w of %d bytes", d.Short(), ErrTooLarge, limit)
	}
	if core.DigestOf(b) != d {
		return nil, fmt.Errorf("manifest %s: the layout's blob does not match its digest", d.Short())
	}
	return b, nil
}

func (s *layoutSource) blob(d core.Digest) (io.ReadCloser, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("blob %q: %w", d, core.ErrBadDigest)
	}
	return os.Open(filepath.Join(s.dir, "blobs", "sha256", d.Hex()))
}

// checksBlobs: a layout's blobs are plain files.
func (s *layoutSource) checksBlobs() bool { return false }

func (s *layoutSource) referrers(d core.Digest, limit int) ([]Referrer, error) {
	idx, err := s.index()
	if err != nil {
		return nil, err
	}
	var out []Referrer
	for _, m := range idx.Manifests {
		if m.MediaType != mediaTypeManifest || m.Size > s.maxManifest {
			continue
		}
		raw, err := s.manifest(core.Digest(m.Digest.String()), s.maxManifest)
		if err != nil {
			return nil, err
		}
		var mf manifest
		if json.Unmarshal(raw, &mf) != nil || mf.Subject == nil || mf.Subject.Digest != d {
			continue
		}
		if len(out) == limit {
			return nil, fmt.Errorf("more than %d referrers: %w", limit, ErrTooLarge)
		}
		out = append(out, Referrer{Digest: core.Digest(m.Digest.String()), ArtifactType: mf.ArtifactType, Annotations: mf.Annotations})
	}
	return out, nil
}

// PushLayout writes model m, whose files are read from st, into the OCI
// image layout at ref.Dir (made if absent) under ref.Tag, and each
// attachment as a manifest whose subject is the model. A manifest already
// in the layout is not added twice; the tag moves to m.
func PushLayout(ctx context.Context, st *store.Store, ref LayoutReference, m *Model, attachments []Attachment) (*Pushed, error) {
	if ref.Tag == "" {
		return nil, fmt.Errorf("%s: push to a layout needs a tag (oci-layout://DIR:TAG)", ref)
	}
	p, err := layout.FromPath(ref.Dir)
	if errors.Is(err, os.ErrNotExist) {
		p, err = layout.Write(ref.Dir, empty.Index)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	img, err := partial.CompressedToImage(&artifactImage{raw: m.Manifest, config: m.Config, files: m.Files, st: st})
	if err != nil {
		return nil, err
	}
	if err := p.ReplaceImage(img, match.Annotation(annotationRefName, ref.Tag), layout.WithAnnotations(map[string]string{annotationRefName: ref.Tag})); err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	out := &Pushed{Ref: ref.String(), Digest: m.Digest}
	subject := descriptor{MediaType: mediaTypeManifest, Digest: m.Digest, Size: int64(len(m.Manifest)), ArtifactType: ArtifactTypeModel}
	for _, a := range attachments {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		raw, err := a.referrerManifest(subject)
		if err != nil {
			return nil, err
		}
		img, err := partial.CompressedToImage(&artifactImage{raw: raw, config: emptyJSON, blob: a.Data})
		if err != nil {
			return nil, err
		}
		h, err := v1.NewHash(string(core.DigestOf(raw)))
		if err != nil {
			return nil, err
		}
		if err := p.ReplaceImage(img, match.Digests(h)); err != nil {
			return nil, fmt.Errorf("%s: attach %s: %w", ref, a.ArtifactType, err)
		}
		out.Referrers = append(out.Referrers, core.DigestOf(raw))
	}
	return out, nil
}

// LayoutTag turns a run's STEP.OUTPUT into a tag: unchanged when it is
// one already; else (an item of a foreach step, train[lr=0.1].model) the
// characters a tag cannot hold become "-", and the first 8 hex digits of
// the name's sha256 keep two such names apart.
func LayoutTag(target string) string {
	if tagPattern.MatchString(target) {
		return target
	}
	b := []byte(target)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || (i > 0 && (c == '.' || c == '-'))) {
			b[i] = '-'
		}
	}
	suffix := "-" + core.DigestOf([]byte(target)).Hex()[:8]
	return string(b[:min(len(b), 128-len(suffix))]) + suffix
}
