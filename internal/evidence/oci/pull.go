package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"lockstep.dev/lockstep/internal/core"
)

// Limits bound what is read from a registry.
type Limits struct {
	Manifest   int64 // bytes of one manifest
	Attachment int64 // bytes of one attached blob (a bundle)
	Referrers  int   // referrers of one model looked at
}

// DefaultLimits are generous for models and their evidence and small
// enough that a hostile registry cannot exhaust memory.
var DefaultLimits = Limits{Manifest: 4 << 20, Attachment: 16 << 20, Referrers: 1000}

// ErrTooLarge is wrapped when a registry serves more than Limits allow.
var ErrTooLarge = errors.New("larger than the limit")

// Remote is a model found in a registry: its manifest was read and parsed,
// nothing else yet.
type Remote struct {
	Ref   name.Reference // as given
	Model *Model
	lim   Limits
	opts  []remote.Option
}

// Open reads the model manifest at ref (a tag is resolved to the digest it
// names now) and parses it. A manifest larger than lim.Manifest is refused
// before it is read.
func Open(ctx context.Context, ref name.Reference, lim Limits, opts ...remote.Option) (*Remote, error) {
	opts = append(DefaultOptions(ctx), opts...)
	head, err := remote.Head(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	if head.Size > lim.Manifest {
		return nil, fmt.Errorf("%s: manifest of %d bytes: %w of %d", ref, head.Size, ErrTooLarge, lim.Manifest)
	}
	desc, err := remote.Get(ref.Context().Digest(head.Digest.String()), opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	if int64(len(desc.Manifest)) > lim.Manifest {
		return nil, fmt.Errorf("%s: manifest of %d bytes: %w of %d", ref, len(desc.Manifest), ErrTooLarge, lim.Manifest)
	}
	m, err := ParseModel(desc.Manifest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	if string(m.Digest) != head.Digest.String() {
		return nil, fmt.Errorf("%s: the registry served a manifest whose digest is %s, not %s", ref, m.Digest, head.Digest)
	}
	if d, ok := ref.(name.Digest); ok && d.DigestStr() != string(m.Digest) {
		return nil, fmt.Errorf("%s: the registry served manifest %s", ref, m.Digest)
	}
	return &Remote{Ref: ref, Model: m, lim: lim, opts: opts}, nil
}

// Referrer is one artifact attached to a model.
type Referrer struct {
	Digest       core.Digest
	ArtifactType string
	Annotations  map[string]string
}

// Referrers lists what is attached to the model, through the referrers API
// or, on a registry without it, the referrers tag schema. Only the first
// Limits.Referrers are returned; more is an error, so that nothing is
// silently left unchecked.
func (r *Remote) Referrers() ([]Referrer, error) {
	idx, err := remote.Referrers(r.Ref.Context().Digest(string(r.Model.Digest)), r.opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: referrers: %w", r.Ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("%s: referrers: %w", r.Ref, err)
	}
	if len(im.Manifests) > r.lim.Referrers {
		return nil, fmt.Errorf("%s: %d referrers: %w of %d", r.Ref, len(im.Manifests), ErrTooLarge, r.lim.Referrers)
	}
	out := make([]Referrer, 0, len(im.Manifests))
	for _, d := range im.Manifests {
		out = append(out, Referrer{Digest: core.Digest(d.Digest.String()), ArtifactType: d.ArtifactType, Annotations: d.Annotations})
	}
	return out, nil
}

// Attached is what a referrer holds, as its own manifest says (a
// registry's referrers index may name another artifact type).
type Attached struct {
	ArtifactType string
	Annotations  map[string]string
	// Data is the referrer's one blob, checked against its digest; read
	// only for a Sigstore bundle (ArtifactTypeBundle), else nil.
	Data []byte
}

// Fetch reads the referrer ref: its manifest, and for a Sigstore bundle its
// one blob, checked against its digest. It refuses a referrer whose
// subject is not this model, or a bundle that is not a one-layer artifact.
func (r *Remote) Fetch(ref Referrer) (*Attached, error) {
	repo := r.Ref.Context()
	raw, err := r.readManifest(repo.Digest(string(ref.Digest)))
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("referrer %s: %w", ref.Digest.Short(), err)
	}
	if m.Subject == nil || m.Subject.Digest != r.Model.Digest {
		return nil, fmt.Errorf("referrer %s does not name this model as its subject", ref.Digest.Short())
	}
	a := &Attached{ArtifactType: m.ArtifactType, Annotations: m.Annotations}
	if a.ArtifactType == "" {
		a.ArtifactType = m.Config.MediaType
	}
	if a.ArtifactType != ArtifactTypeBundle {
		return a, nil
	}
	if len(m.Layers) != 1 {
		return nil, fmt.Errorf("referrer %s has %d layers, want 1", ref.Digest.Short(), len(m.Layers))
	}
	l := m.Layers[0]
	if l.Size > r.lim.Attachment {
		return nil, fmt.Errorf("referrer %s: blob of %d bytes: %w of %d", ref.Digest.Short(), l.Size, ErrTooLarge, r.lim.Attachment)
	}
	if !l.Digest.Valid() {
		return nil, fmt.Errorf("referrer %s: layer digest %q", ref.Digest.Short(), l.Digest)
	}
	layer, err := remote.Layer(repo.Digest(string(l.Digest)), r.opts...)
	if err != nil {
		return nil, fmt.Errorf("referrer %s: %w", ref.Digest.Short(), err)
	}
	rc, err := layer.Compressed()
	if err != nil {
		return nil, fmt.Errorf("referrer %s: %w", ref.Digest.Short(), err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, l.Size+1))
	if err != nil {
		return nil, fmt.Errorf("referrer %s: %w", ref.Digest.Short(), err)
	}
	if int64(len(b)) != l.Size || core.DigestOf(b) != l.Digest {
		return nil, fmt.Errorf("referrer %s: blob does not match its digest %s", ref.Digest.Short(), l.Digest.Short())
	}
	a.Data = b
	return a, nil
}

// readManifest reads the manifest at d, bounded and checked against d.
func (r *Remote) readManifest(d name.Digest) ([]byte, error) {
	desc, err := remote.Get(d, r.opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d, err)
	}
	if int64(len(desc.Manifest)) > r.lim.Manifest {
		return nil, fmt.Errorf("%s: manifest of %d bytes: %w of %d", d, len(desc.Manifest), ErrTooLarge, r.lim.Manifest)
	}
	if string(core.DigestOf(desc.Manifest)) != d.DigestStr() {
		return nil, fmt.Errorf("%s: the registry served a manifest with another digest", d)
	}
	return desc.Manifest, nil
}

// PullTo downloads the model's files to dest, which must not exist: into a
// new folder beside it, each file checked against its layer's digest and
// size as it is written, then renamed to dest whole. For a single-file
// model dest is the file. On any error nothing is left at dest.
func (r *Remote) PullTo(ctx context.Context, dest string) (err error) {
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("%s already exists; choose a new destination", dest)
	}
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".lockstep-pull-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for _, f := range r.Model.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.pullFile(f, filepath.Join(tmp, filepath.FromSlash(f.Path))); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if r.Model.Single {
		if err := os.Rename(filepath.Join(tmp, filepath.FromSlash(r.Model.Files[0].Path)), dest); err != nil {
			return err
		}
		return os.RemoveAll(tmp)
	}
	return os.Rename(tmp, dest)
}

// pullFile downloads layer f to the new file path.
func (r *Remote) pullFile(f File, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	layer, err := remote.Layer(r.Ref.Context().Digest(string(f.Digest)), r.opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	rc, err := layer.Compressed()
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	h := core.NewHash()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(rc, f.Size+1))
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if got := core.DigestFromSum(h.Sum(nil)); n != f.Size || got != f.Digest {
		return fmt.Errorf("%s: layer %s: the registry served %d bytes hashing to %s, want %d bytes hashing to %s", f.Path, f.Digest.Short(), n, got.Short(), f.Size, f.Digest.Short())
	}
	if err := out.Chmod(os.FileMode(f.Mode)); err != nil {
		return err
	}
	return out.Close()
}
