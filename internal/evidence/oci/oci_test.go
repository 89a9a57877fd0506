package oci

import (
	"bytes"
	"context"
	"encoding/base64"
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

// TestLayoutRoundTrip writes a model and a bundle into an OCI image layout
// and reads them back offline; a blob altered in the layout fails the
// pull, naming the file.
func TestLayoutRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "layout")
	ref := LayoutReference{Dir: dir, Tag: "train.model"}
	att := BundleAttachment(f.bundle, attest.ProvenancePredicateType, time.Time{})
	for range 2 { // a second push adds nothing
		if _, err := PushLayout(ctx, f.st, ref, f.model, []Attachment{att}); err != nil {
			t.Fatal(err)
		}
	}
	rem, err := OpenLayout(ref.String(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if rem.Model.Digest != f.model.Digest || rem.Model.Subject != f.tree {
		t.Fatalf("layout holds %s for %s, want %s for %s", rem.Model.Digest, rem.Model.Subject, f.model.Digest, f.tree)
	}
	refs, err := rem.Referrers()
	if err != nil || len(refs) != 1 {
		t.Fatalf("referrers %+v %v, want the one bundle once", refs, err)
	}
	if a, err := rem.Fetch(refs[0]); err != nil || !bytes.Equal(a.Data, f.bundle) {
		t.Fatalf("fetch: %v", err)
	}
	byDigest, err := OpenLayout(LayoutReference{Dir: dir, Digest: f.model.Digest}.String(), DefaultLimits)
	if err != nil || byDigest.Model.Digest != f.model.Digest {
		t.Fatalf("open by digest: %v", err)
	}
	for _, x := range f.model.Files {
		if x.Path == "README.md" {
			os.Chmod(filepath.Join(dir, "blobs", "sha256", x.Digest.Hex()), 0o644)
			os.WriteFile(filepath.Join(dir, "blobs", "sha256", x.Digest.Hex()), []byte("# another model\n"), 0o644)
		}
	}
	dest := filepath.Join(t.TempDir(), "model")
	if err := rem.PullTo(ctx, dest); err == nil || !strings.Contains(err.Error(), "README.md") {
		t.Fatalf("pull of an altered layout: %v, want an error naming README.md", err)
	}
	if _, err := os.Lstat(dest); err == nil {
		t.Fatal("a failed pull left its destination")
	}
}

func TestParseLayoutReference(t *testing.T) {
	d := core.DigestOf([]byte("x"))
	for in, want := range map[string]LayoutReference{
		"oci-layout://out:train.model":             {Dir: "out", Tag: "train.model"},
		"oci-layout:///abs/dir:v1":                 {Dir: "/abs/dir", Tag: "v1"},
		"oci-layout://a:b/c:v2":                    {Dir: "a:b/c", Tag: "v2"},
		"oci-layout://out@" + string(d):            {Dir: "out", Digest: d},
		"oci-layout://dir.with:colon@" + string(d): {Dir: "dir.with:colon", Digest: d},
		"oci-layout:///home/me@corp/out:v1":        {Dir: "/home/me@corp/out", Tag: "v1"},
		"oci-layout://me@corp/out@" + string(d):    {Dir: "me@corp/out", Digest: d},
	} {
		got, err := ParseLayoutReference(in)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("%s written back as %s", in, got.String())
		}
	}
	for _, bad := range []string{"oci-layout://out", "oci-layout://out:", "oci-layout://:tag", "oci-layout://out@sha256:12", "out:tag", "oci-layout://a:b/c", "oci-layout://out:-x"} {
		if r, err := ParseLayoutReference(bad); err == nil {
			t.Errorf("%s: accepted as %+v", bad, r)
		}
	}
}

func FuzzParseLayoutReference(f *testing.F) {
	f.Add("oci-layout://out:train.model")
	f.Add("oci-layout://out@sha256:" + strings.Repeat("a", 64))
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseLayoutReference(s)
		if err != nil {
			return
		}
		if r.Dir == "" || (r.Tag == "") == (r.Digest == "") {
			t.Fatalf("%q parsed to %+v", s, r)
		}
		back, err := ParseLayoutReference(r.String())
		if err != nil || back != r {
			t.Fatalf("%q → %+v → %q → %+v %v", s, r, r.String(), back, err)
		}
	})
}

// TestLogin: a registry that asks for a login refuses a push without one,
// saying so, and takes it with the credentials of the Docker config that
// DOCKER_CONFIG names, as docker login writes them.
func TestLogin(t *testing.T) {
	reg := ocitest.StartWithLogin(t, ocitest.TagFallback, "ml", "s3cret")
	f := newFixture(t)
	ctx := context.Background()
	r := ref(t, reg, "m:v1")
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	_, err := Push(ctx, f.st, r, f.model, nil)
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "docker login "+reg.Host) {
		t.Fatalf("push without a login: %v, want ErrUnauthorized saying to docker login %s", err, reg.Host)
	}
	if _, err := Open(ctx, r, DefaultLimits); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("open without a login: %v, want ErrUnauthorized", err)
	}
	cfg := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("ml:s3cret"))
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{"`+reg.Host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", cfg)
	if _, err := Push(ctx, f.st, r, f.model, nil); err != nil {
		t.Fatalf("push with docker's login: %v", err)
	}
	if _, err := Open(ctx, r, DefaultLimits); err != nil {
		t.Fatal(err)
	}
}

// TestMissingLayer: a registry that lost a layer fails the pull naming the
// file, and leaves nothing behind.
func TestMissingLayer(t *testing.T) {
	reg := ocitest.Start(t, ocitest.DistributionV3)
	f := newFixture(t)
	ctx := context.Background()
	r := ref(t, reg, "m:v1")
	if _, err := Push(ctx, f.st, r, f.model, nil); err != nil {
		t.Fatal(err)
	}
	for _, x := range f.model.Files {
		if x.Path == "tokenizer.json" {
			if err := os.Remove(reg.BlobPath(string(x.Digest))); err != nil {
				t.Fatal(err)
			}
		}
	}
	rem, err := Open(ctx, r, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "model")
	if err := rem.PullTo(ctx, dest); err == nil || !strings.Contains(err.Error(), "tokenizer.json") {
		t.Fatalf("pull with a layer gone: %v, want an error naming tokenizer.json", err)
	}
	if _, err := os.Lstat(dest); err == nil {
		t.Fatal("a failed pull left its destination")
	}
}

func TestLayoutTag(t *testing.T) {
	if got := LayoutTag("train.model"); got != "train.model" {
		t.Errorf("a valid tag changed: %q", got)
	}
	a, b := LayoutTag("train[lr=0.1].model"), LayoutTag("train[lr=0-1].model")
	if !tagPattern.MatchString(a) || !tagPattern.MatchString(b) || a == b || !strings.HasPrefix(a, "train-lr-0.1-.model-") {
		t.Errorf("item tags %q and %q: want two valid, distinct tags", a, b)
	}
	if long := LayoutTag(strings.Repeat("x[", 100)); !tagPattern.MatchString(long) {
		t.Errorf("a long name gave the invalid tag %q", long)
	}
}
