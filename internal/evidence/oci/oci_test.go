package oci

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/evidence/oci/ocitest"
	"lockstep.dev/lockstep/internal/store"
)

// fixture is a stored model folder and a provenance bundle naming it.
type fixture struct {
	st     *store.Store
	tree   core.Digest
	model  *Model
	bundle []byte
	files  map[string][]byte
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		"weights.bin":     bytes.Repeat([]byte{7, 1, 9}, 40000),
		"config.json":     []byte(`{"hidden": 4}` + "\n"),
		"README.md":       []byte("# a model\n"),
		"tools/serve.sh":  []byte("#!/bin/sh\necho serve\n"),
		"tokenizer.json":  []byte(`{"vocab": {}}`),
		"same-weights.pt": bytes.Repeat([]byte{7, 1, 9}, 40000), // a layer twice
	}
	for p, b := range files {
		path := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(p, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(path, b, mode); err != nil {
			t.Fatal(err)
		}
	}
	st, err := store.Open(filepath.Join(t.TempDir(), ".lockstep"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, tree, err := st.PutTree(context.Background(), dir, store.TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewTreeModel(d, tree, Info{Name: "m", Version: "v1", Run: "abc", Created: time.Unix(1700000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := attest.GenerateKey(attest.KeyECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	stmt := attest.NewStatement([]attest.Subject{{Name: "train/model", Digest: d}}, attest.ProvenancePredicateType, map[string]any{"run": "abc"})
	b, err := attest.Sign(context.Background(), stmt, signer)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, tree: d, model: m, bundle: b, files: files}
}

func ref(t *testing.T, r *ocitest.Registry, repoTag string) name.Reference {
	t.Helper()
	x, err := ParseReference(Scheme + r.Host + "/" + repoTag)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestRoundTrip pushes a model with a bundle attached to each kind of
// registry and reads it back: the manifest's layers rebuild the stored
// tree's digest, the bundle is found among the referrers (through the
// referrers API or the tag schema), and the pulled files are the stored
// ones, modes included.
func TestRoundTrip(t *testing.T) {
	for _, kind := range []ocitest.Kind{ocitest.Referrers, ocitest.TagFallback, ocitest.DistributionV3} {
		t.Run(kind.String(), func(t *testing.T) {
			reg := ocitest.Start(t, kind)
			f := newFixture(t)
			ctx := context.Background()
			r := ref(t, reg, "team/model:v1")
			pushed, err := Push(ctx, f.st, r, f.model, []Attachment{BundleAttachment(f.bundle, attest.ProvenancePredicateType, time.Time{})})
			if err != nil {
				t.Fatal(err)
			}
			if pushed.Digest != f.model.Digest || len(pushed.Referrers) != 1 {
				t.Fatalf("pushed %+v", pushed)
			}
			rem, err := Open(ctx, r, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if rem.Model.Digest != f.model.Digest || rem.Model.Subject != f.tree {
				t.Fatalf("read back manifest %s for tree %s, pushed %s for %s", rem.Model.Digest, rem.Model.Subject, f.model.Digest, f.tree)
			}
			refs, err := rem.Referrers()
			if err != nil {
				t.Fatal(err)
			}
			if len(refs) != 1 || refs[0].Digest != pushed.Referrers[0] {
				t.Fatalf("referrers %+v, want the one pushed (%s)", refs, pushed.Referrers[0])
			}
			a, err := rem.Fetch(refs[0])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Data, f.bundle) || a.ArtifactType != ArtifactTypeBundle || a.Annotations[AnnotationPredicateType] != attest.ProvenancePredicateType {
				t.Fatalf("fetched %s %v, %d bytes; want the bundle pushed", a.ArtifactType, a.Annotations, len(a.Data))
			}
			dest := filepath.Join(t.TempDir(), "model")
			if err := rem.PullTo(ctx, dest); err != nil {
				t.Fatal(err)
			}
			d, _, err := store.HashDir(ctx, dest, store.TreeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if d != f.tree {
				t.Fatalf("pulled folder hashes to %s, want %s", d, f.tree)
			}
			fi, err := os.Stat(filepath.Join(dest, "tools", "serve.sh"))
			if err != nil || fi.Mode().Perm() != 0o755 {
				t.Fatalf("tools/serve.sh: %v %v, want mode 0755", fi.Mode(), err)
			}
		})
	}
}

// TestPushIsIdempotent: the same model pushed twice has one manifest
// digest, and the tag still names it.
func TestPushIsIdempotent(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Referrers)
	f := newFixture(t)
	ctx := context.Background()
	r := ref(t, reg, "m:v1")
	for range 2 {
		if _, err := Push(ctx, f.st, r, f.model, nil); err != nil {
			t.Fatal(err)
		}
	}
	rem, err := Open(ctx, r, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if rem.Model.Digest != f.model.Digest {
		t.Fatalf("tag names %s after a second push, want %s", rem.Model.Digest, f.model.Digest)
	}
}

// TestTamperedLayerRefused: a registry serving other bytes for a layer
// fails the pull, naming the file, and leaves nothing at the destination.
func TestTamperedLayerRefused(t *testing.T) {
	reg := ocitest.Start(t, ocitest.TagFallback)
	f := newFixture(t)
	ctx := context.Background()
	r := ref(t, reg, "m:v1")
	if _, err := Push(ctx, f.st, r, f.model, nil); err != nil {
		t.Fatal(err)
	}
	var weights File
	for _, x := range f.model.Files {
		if x.Path == "config.json" {
			weights = x
		}
	}
	blob := reg.BlobPath(string(weights.Digest))
	if err := os.WriteFile(blob, []byte(`{"hidden": 5}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rem, err := Open(ctx, r, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "model")
	err = rem.PullTo(ctx, dest)
	if err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Fatalf("pull of a tampered layer: %v, want an error naming config.json", err)
	}
	if _, serr := os.Lstat(dest); !errors.Is(serr, os.ErrNotExist) {
		t.Fatalf("a failed pull left %s", dest)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".lockstep-pull-*")); len(left) > 0 {
		t.Fatalf("a failed pull left %v", left)
	}
}

// TestLimits: a manifest or a referrer list beyond the limits is refused
// before it is used.
func TestLimits(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Referrers)
	f := newFixture(t)
	ctx := context.Background()
	r := ref(t, reg, "m:v1")
	att := BundleAttachment(f.bundle, attest.ProvenancePredicateType, time.Time{})
	other := BundleAttachment(f.bundle, attest.ProvenancePredicateType, time.Unix(1, 0))
	if _, err := Push(ctx, f.st, r, f.model, []Attachment{att, other}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, r, Limits{Manifest: 100, Attachment: 1 << 20, Referrers: 10}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("100-byte manifest limit: %v, want ErrTooLarge", err)
	}
	rem, err := Open(ctx, r, Limits{Manifest: 1 << 20, Attachment: 100, Referrers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rem.Referrers(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("two referrers over a limit of one: %v, want ErrTooLarge", err)
	}
	rem.lim.Referrers = 10
	refs, err := rem.Referrers()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rem.Fetch(refs[0]); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a bundle over a 100-byte limit: %v, want ErrTooLarge", err)
	}
}

// TestUnreachable: a registry that is down gives an error naming it.
func TestUnreachable(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Referrers)
	r := ref(t, reg, "m:v1")
	reg.Stop()
	_, err := Open(context.Background(), r, DefaultLimits)
	if err == nil || !strings.Contains(err.Error(), reg.Host) {
		t.Fatalf("open on a stopped registry: %v, want an error naming %s", err, reg.Host)
	}
}

// TestNotAModel: a referrer's manifest is not taken for a model.
func TestNotAModel(t *testing.T) {
	reg := ocitest.Start(t, ocitest.Referrers)
	f := newFixture(t)
	ctx := context.Background()
	r := ref(t, reg, "m:v1")
	pushed, err := Push(ctx, f.st, r, f.model, []Attachment{BundleAttachment(f.bundle, attest.ProvenancePredicateType, time.Time{})})
	if err != nil {
		t.Fatal(err)
	}
	at := r.Context().Digest(string(pushed.Referrers[0]))
	if _, err := Open(ctx, at, DefaultLimits); err == nil || !strings.Contains(err.Error(), "not a model") {
		t.Fatalf("open of a bundle's manifest as a model: %v", err)
	}
}

func TestTreeWithSymlinkRefused(t *testing.T) {
	d := core.DigestOf([]byte("x"))
	tree := core.NewTree([]core.TreeEntry{
		{Path: "a.bin", Kind: core.KindFile, Mode: 0o644, Size: 1, Digest: d},
		{Path: "b.bin", Kind: core.KindSymlink, Target: "a.bin"},
	})
	_, err := NewTreeModel(store.TreeDigest(tree), tree, Info{})
	if err == nil || !strings.Contains(err.Error(), "b.bin is a symlink") {
		t.Fatalf("model with a symlink: %v", err)
	}
}

func TestParseModelRefuses(t *testing.T) {
	f := newFixture(t)
	good := string(f.model.Manifest)
	for name, raw := range map[string]string{
		"path escapes":  strings.Replace(good, `"org.cncf.model.filepath":"README.md"`, `"org.cncf.model.filepath":"../README.md"`, 1),
		"tar layer":     strings.Replace(good, MediaTypeDoc, "application/vnd.cncf.model.doc.v1.tar", 1),
		"no file path":  strings.Replace(good, `"org.cncf.model.filepath":"README.md",`, "", 1),
		"other type":    strings.Replace(good, ArtifactTypeModel, "application/vnd.example", 1),
		"path repeated": strings.Replace(good, `"org.cncf.model.filepath":"README.md"`, `"org.cncf.model.filepath":"config.json"`, 1),
	} {
		if raw == good {
			t.Fatalf("%s: the manifest was not altered", name)
		}
		if _, err := ParseModel([]byte(raw)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	m, err := ParseModel(f.model.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != f.tree {
		t.Fatalf("parsed model makes up %s, want %s", m.Subject, f.tree)
	}
}

func FuzzParseModel(f *testing.F) {
	d := core.DigestOf([]byte("x"))
	m, err := NewFileModel(d, 1, "model.onnx", Info{Name: "m"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Manifest)
	f.Add([]byte(`{"mediaType":"application/vnd.oci.image.manifest.v1+json"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseModel(raw)
		if err != nil {
			return
		}
		for _, x := range m.Files {
			if core.ValidRelPath(x.Path) != nil || !x.Digest.Valid() || x.Size < 0 || x.Mode&^0o777 != 0 {
				t.Fatalf("accepted a bad file %+v", x)
			}
		}
		if !m.Subject.Valid() {
			t.Fatalf("accepted a model without a subject digest")
		}
	})
}
