package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
)

// pickleBytes is a protocol-2 pickle that would call os.system("id").
var pickleBytes = "\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."

// plainListPickle is pickle.dumps([1, 2, 3], 2): it imports nothing, yet
// is refused by the default policy.
var plainListPickle = "\x80\x02]q\x00(K\x01K\x02K\x03e."

// unknownPickle calls mylib.make(): not known to be dangerous, so the
// allow policy lets it in.
var unknownPickle = "\x80\x02cmylib\nmake\n)R."

func TestAddDirectoryThenSameAndDifferent(t *testing.T) {
	e := newEnv(t)
	dir := writeFiles(t, filepath.Join(e.root, "data"), map[string]string{"train.csv": "x,y\n1,2\n", "sub/test.csv": "x,y\n3,4\n"})
	signer := testKey(t, 0)
	a, err := e.add(t, "iris@1", dir, AddOptions{Producer: "lab", License: "CC0-1.0", Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	if a.Existing || a.Files != 2 || a.Bundle == "" || !a.Tree.Valid() {
		t.Fatalf("added %+v", a)
	}
	tree, meta, err := e.cat.Name(context.Background(), Kind, "iris@1")
	if err != nil || tree != a.Tree || meta != a.BOM {
		t.Fatalf("binding = %s %s %v", tree, meta, err)
	}
	// The original may vanish: the data lives in the store.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	d, err := Lookup(context.Background(), e.st, e.cat, mustRef(t, "iris@1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CheckFiles(context.Background(), e.st, true); err != nil {
		t.Fatalf("files after the original vanished: %v", err)
	}
	key, _, err := d.Signature(e.st, nil)
	if err == nil || key != nil {
		t.Fatal("signature verified without trusted keys")
	}
	if key, _, err = d.Signature(e.st, []*attest.PublicKey{signer.PublicKey}); err != nil || !key.Equal(signer.PublicKey) {
		t.Fatalf("signature: %v", err)
	}

	// Same content again: nothing changes.
	writeFiles(t, dir, map[string]string{"train.csv": "x,y\n1,2\n", "sub/test.csv": "x,y\n3,4\n"})
	again, err := e.add(t, "iris@1", dir, AddOptions{})
	if err != nil || !again.Existing || again.BOM != a.BOM {
		t.Fatalf("re-add = %+v, %v", again, err)
	}
	// A second producer signs the registered version; signing again adds nothing.
	for i := 0; i < 2; i++ {
		signed, err := e.add(t, "iris@1", dir, AddOptions{Signer: testKey(t, 1)})
		if err != nil || !signed.Existing || signed.Bundle == "" || signed.BOM != a.BOM {
			t.Fatalf("signing the registered version = %+v, %v", signed, err)
		}
	}
	if d, err = Lookup(context.Background(), e.st, e.cat, mustRef(t, "iris@1")); err != nil || len(d.Bundles) != 2 {
		t.Fatalf("bundles after a second signer: %+v %v", d, err)
	}
	if _, _, err := d.Signature(e.st, []*attest.PublicKey{testKey(t, 1).PublicKey}); err != nil {
		t.Fatalf("second signer: %v", err)
	}
	// Different content under the same version: refused, both digests shown.
	writeFiles(t, dir, map[string]string{"train.csv": "x,y\n1,3\n"})
	_, err = e.add(t, "iris@1", dir, AddOptions{})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), string(a.Tree)) {
		t.Fatalf("conflicting re-add: %v", err)
	}
	if tree2, _, _ := e.cat.Name(context.Background(), Kind, "iris@1"); tree2 != a.Tree {
		t.Fatal("binding changed")
	}
}

func TestAddRefusals(t *testing.T) {
	e := newEnv(t)
	outside := writeFiles(t, filepath.Join(e.root, "outside"), map[string]string{"secret": "s"})
	tests := []struct {
		name  string
		files map[string]string
		setup func(dir string)
		opts  AddOptions
		want  error
		text  string
	}{
		{name: "pickle", files: map[string]string{"model.pkl": pickleBytes}, want: ErrUnsafeContent, text: "model.pkl"},
		{name: "plain list pickle by default", files: map[string]string{"list.pkl": plainListPickle}, want: ErrUnsafeContent, text: "refused by format policy: pickle (imports nothing)"},
		{name: "unknown import under allow-safe", files: map[string]string{"state.pkl": unknownPickle},
			opts: AddOptions{Pickle: scan.PickleAllowSafe}, want: ErrUnsafeContent, text: "not on the safe list"},
		{name: "dangerous pickle even when allowed", files: map[string]string{"model.pkl": pickleBytes},
			opts: AddOptions{Pickle: scan.PickleAllow}, want: ErrUnsafeContent, text: "model.pkl"},
		{name: "symlink outside", files: map[string]string{"a.csv": "1\n"}, setup: func(dir string) {
			if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "link")); err != nil {
				t.Fatal(err)
			}
		}, text: "link"},
		{name: "expect mismatch", files: map[string]string{"a.csv": "1\n"},
			opts: AddOptions{Expect: core.Digest("sha256:" + strings.Repeat("0", 64))}, want: ErrDigestMismatch, text: "nothing was registered"},
		{name: "bad classification", files: map[string]string{"a.csv": "1\n"}, opts: AddOptions{Classification: "secret"}, text: "classification"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, filepath.Join(e.root, "case", tt.name), tt.files)
			if tt.setup != nil {
				tt.setup(dir)
			}
			ref := "bad@" + string(rune('a'+i))
			_, err := e.add(t, ref, dir, tt.opts)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.want, tt.text)
			}
			if _, _, err := e.cat.Name(context.Background(), Kind, ref); !errors.Is(err, catalog.ErrNotFound) {
				t.Fatalf("%s was bound after a refused add: %v", ref, err)
			}
		})
	}
}

func TestAddLetsInvalidFormatInWithWarning(t *testing.T) {
	e := newEnv(t)
	dir := writeFiles(t, filepath.Join(e.root, "ragged"), map[string]string{"r.csv": "a,b\n1,2\n3\n"})
	a, err := e.add(t, "ragged@1", dir, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f := a.Flagged["r.csv"]; f.Verdict != "invalid" || f.Note == "" {
		t.Fatalf("flagged = %+v", a.Flagged)
	}
	raw, _ := e.st.ReadBytes(a.BOM)
	if !strings.Contains(string(raw), `"name":"lockstep:scan:r.csv","value":"invalid: `) {
		t.Fatalf("invalid file not recorded in the BOM:\n%s", raw)
	}
}

func TestAddAllowPickleIsRecorded(t *testing.T) {
	for _, c := range []struct {
		policy scan.PicklePolicy
		file   string
	}{{scan.PickleAllow, unknownPickle}, {scan.PickleAllowSafe, plainListPickle}} {
		t.Run(string(c.policy), func(t *testing.T) {
			e := newEnv(t)
			dir := writeFiles(t, filepath.Join(e.root, "p"), map[string]string{"state.pkl": c.file})
			if _, err := e.add(t, "p@1", dir, AddOptions{}); !errors.Is(err, ErrUnsafeContent) {
				t.Fatalf("pickle under the default policy: %v", err)
			}
			a, err := e.add(t, "p@1", dir, AddOptions{Pickle: c.policy})
			if err != nil {
				t.Fatal(err)
			}
			if f := a.Flagged["state.pkl"]; len(a.Flagged) != 1 || f.Verdict != "allowed" || !strings.Contains(f.Note, "allowed by format policy "+string(c.policy)) {
				t.Fatalf("flagged = %v", a.Flagged)
			}
			d, err := Lookup(context.Background(), e.st, e.cat, mustRef(t, "p@1"))
			if err != nil {
				t.Fatal(err)
			}
			if d.BOM.PicklePolicy != c.policy {
				t.Fatalf("BOM records pickle policy %q, want %q", d.BOM.PicklePolicy, c.policy)
			}
			if props := properties(d.BOM.Doc.Metadata.Component.Properties); !strings.HasPrefix(props[propScanPrefix+"state.pkl"], "allowed") {
				t.Fatalf("BOM properties = %v", props)
			}
		})
	}
}

func TestAddSingleFileAndSchema(t *testing.T) {
	e := newEnv(t)
	dir := writeFiles(t, filepath.Join(e.root, "f"), map[string]string{"prices.csv": "a,b\n1,2\n"})
	card, err := ParseCard("card.yaml", []byte("motivation: teaching\nowners: [me]\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.add(t, "prices@2024.1", filepath.Join(dir, "prices.csv"), AddOptions{Card: card, Origin: "https://example.org/prices.csv",
		Classification: Public, Expect: core.DigestOf([]byte("a,b\n1,2\n"))})
	if err != nil {
		t.Fatal(err)
	}
	if a.Files != 1 || a.Bundle != "" {
		t.Fatalf("added %+v", a)
	}
	raw, err := e.st.ReadBytes(a.BOM)
	if err != nil {
		t.Fatal(err)
	}
	validateCycloneDX(t, raw)
	bom, err := ParseBOM(raw)
	if err != nil {
		t.Fatal(err)
	}
	if bom.Entries[0].Path != "prices.csv" || bom.Classification != Public || len(bom.Sources) != 2 {
		t.Fatalf("bom = %+v", bom)
	}
	if f := bom.Scans["prices.csv"]; f.Format != "csv" || f.Rows != 1 || f.Columns != 2 {
		t.Fatalf("scanner facts in the BOM = %+v", f)
	}
}
