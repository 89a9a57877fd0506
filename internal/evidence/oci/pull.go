package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

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

// Remote is a model found in a registry or an OCI image layout: its
// manifest was read and parsed, nothing else yet.
type Remote struct {
	Ref   string // the reference as given
	Model *Model
	lim   Limits
	src   source
}

// source is where a model, its blobs and its referrers are read from.
type source interface {
	// manifest returns the manifest with digest d, read within limit.
	manifest(d core.Digest, limit int64) ([]byte, error)
	// blob opens the blob with digest d.
	blob(d core.Digest) (io.ReadCloser, error)
	// referrers lists the manifests whose subject is d.
	referrers(d core.Digest, limit int) ([]Referrer, error)
	// checksBlobs tells whether a blob's reader fails, at its end, when
	// the bytes do not hash to their digest (so the caller need not hash
	// them again).
	checksBlobs() bool
}

// Open reads the model manifest at ref (a tag is resolved to the digest it
// names now) and parses it. A manifest larger than lim.Manifest is refused
// before it is read.
func Open(ctx context.Context, ref name.Reference, lim Limits, opts ...remote.Option) (*Remote, error) {
	src := &registrySource{repo: ref.Context(), opts: append(DefaultOptions(ctx), opts...)}
	head, err := remote.Head(ref, src.opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, explain(ref.Context(), err))
	}
	if d, ok := ref.(name.Digest); ok && d.DigestStr() != head.Digest.String() {
		return nil, fmt.Errorf("%s: the registry answered for manifest %s", ref, head.Digest)
	}
	return open(ref.String(), src, core.Digest(head.Digest.String()), head.Size, lim)
}

// OpenAny opens the model at s: oci://REGISTRY/REPOSITORY(:TAG|@sha256:HEX)
// in a registry, or oci-layout://DIR(:TAG|@sha256:HEX) in an OCI image
// layout.
func OpenAny(ctx context.Context, s string, lim Limits, opts ...remote.Option) (*Remote, error) {
	if strings.HasPrefix(s, LayoutScheme) {
		return OpenLayout(s, lim)
	}
	ref, err := ParseReference(s)
	if err != nil {
		return nil, err
	}
	return Open(ctx, ref, lim, opts...)
}

// IsReference tells whether s names a model by a scheme OpenAny reads:
// oci:// (a registry) or oci-layout:// (an OCI image layout).
func IsReference(s string) bool {
	return strings.HasPrefix(s, Scheme) || strings.HasPrefix(s, LayoutScheme)
}

// CheckReference parses s as OpenAny would, reading nothing, and says what
// is wrong with it.
func CheckReference(s string) error {
	if strings.HasPrefix(s, LayoutScheme) {
		_, err := ParseLayoutReference(s)
		return err
	}
	_, err := ParseReference(s)
	return err
}

// open reads and parses the model manifest d of size n from src.
func open(ref string, src source, d core.Digest, n int64, lim Limits) (*Remote, error) {
	if n > lim.Manifest {
		return nil, fmt.Errorf("%s: manifest of %d bytes: %w of %d", ref, n, ErrTooLarge, lim.Manifest)
	}
	raw, err := src.manifest(d, lim.Manifest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	m, err := ParseModel(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	return &Remote{Ref: ref, Model: m, lim: lim, src: src}, nil
}

// Referrer is one artifact attached to a model.
type Referrer struct {
	Digest       core.Digest
	ArtifactType string
	Annotations  map[string]string
}

// Referrers lists what is attached to the model: through the referrers
// API or, on a registry without it, the referrers tag schema; in a layout,
// the manifests its index lists whose subject is the model. More than
// Limits.Referrers is an error, so that nothing is silently left
// unchecked.
func (r *Remote) Referrers() ([]Referrer, error) {
	refs, err := r.src.referrers(r.Model.Digest, r.lim.Referrers)
	if err != nil {
		return nil, fmt.Errorf("%s: referrers: %w", r.Ref, err)
	}
	return refs, nil
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
	raw, err := r.src.manifest(ref.Digest, r.lim.Manifest)
	if err != nil {
		return nil, fmt.Errorf("referrer %s: %w", ref.Digest.Short(), err)
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
	rc, err := r.src.blob(l.Digest)
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

// pullJobs is how many files PullTo downloads at once.
const pullJobs = 4

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
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pullJobs)
	for _, f := range r.Model.Files {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return r.pullFile(f, filepath.Join(tmp, filepath.FromSlash(f.Path)))
		})
	}
	if err := g.Wait(); err != nil {
		return err
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
	rc, err := r.src.blob(f.Digest)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	var w io.Writer = out
	h := core.NewHash()
	if !r.src.checksBlobs() {
		w = io.MultiWriter(out, h)
	}
	// Read to the end (a byte past the size, if there is one), where a
	// checking reader compares the digest.
	n, err := io.Copy(w, io.LimitReader(rc, f.Size+1))
	if err != nil {
		return fmt.Errorf("%s: layer %s: %w", f.Path, f.Digest.Short(), err)
	}
	if n != f.Size {
		return fmt.Errorf("%s: layer %s: %d bytes served, want %d", f.Path, f.Digest.Short(), n, f.Size)
	}
	if got := core.DigestFromSum(h.Sum(nil)); !r.src.checksBlobs() && got != f.Digest {
		return fmt.Errorf("%s: layer %s: the bytes hash to %s", f.Path, f.Digest.Short(), got.Short())
	}
	if err := out.Chmod(os.FileMode(f.Mode)); err != nil {
		return err
	}
	return out.Close()
}
