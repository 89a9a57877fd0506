package dataset

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/attest"
)

// exported is a dataset produced in one home, as a producer ships it.
type exported struct {
	bom, bundle []byte
	dir         string
}

func produce(t *testing.T, files map[string]string) exported {
	t.Helper()
	e := newEnv(t)
	dir := writeFiles(t, filepath.Join(e.root, "src"), files)
	a, err := e.add(t, "shared@1", dir, AddOptions{Signer: testKey(t, 0), Producer: "partner"})
	if err != nil {
		t.Fatal(err)
	}
	bom, err := e.st.ReadBytes(a.BOM)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := e.st.ReadBytes(a.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	return exported{bom: bom, bundle: bundle, dir: dir}
}

func TestImport(t *testing.T) {
	x := produce(t, map[string]string{"a.csv": "x\n1\n", "sub/b.csv": "x\n2\n"})
	producer := []*attest.PublicKey{testKey(t, 0).PublicKey}
	tests := []struct {
		name   string
		mutate func(*ImportOptions, string)
		want   error
		text   string
	}{
		{"ok", nil, nil, ""},
		{"wrong signer", func(o *ImportOptions, _ string) { o.Keys = []*attest.PublicKey{testKey(t, 2).PublicKey} }, attest.ErrWrongKey, "signature"},
		{"no key for bundle", func(o *ImportOptions, _ string) { o.Keys = nil }, nil, "--key"},
		{"bundle of another BOM", func(o *ImportOptions, _ string) {
			o.BOM = []byte(strings.Replace(string(o.BOM), `"supplier":{"name":"partner"}`, `"supplier":{"name":"mallory"}`, 1))
		}, attest.ErrSubjectMismatch, "another bill of materials"},
		{"changed file", func(o *ImportOptions, dir string) {
			os.WriteFile(filepath.Join(dir, "sub", "b.csv"), []byte("x\n3\n"), 0o644)
		}, ErrDigestMismatch, "sub/b.csv"},
		{"missing file", func(o *ImportOptions, dir string) { os.Remove(filepath.Join(dir, "a.csv")) }, nil, "a.csv"},
		{"malformed", func(o *ImportOptions, _ string) { o.BOM = []byte(`{"bomFormat":"CycloneDX"}`) }, ErrBadBOM, "specVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			dir := writeFiles(t, filepath.Join(e.root, "from"), map[string]string{"a.csv": "x\n1\n", "sub/b.csv": "x\n2\n"})
			o := ImportOptions{BOM: x.bom, Bundle: x.bundle, Keys: producer, From: dir}
			if tt.mutate != nil {
				tt.mutate(&o, dir)
			}
			a, err := Import(context.Background(), e.st, e.cat, o)
			if tt.text == "" {
				if err != nil {
					t.Fatal(err)
				}
				d, err := Lookup(context.Background(), e.st, e.cat, mustRef(t, "shared@1"))
				if err != nil || d.Tree != a.Tree || len(d.Bundles) != 1 {
					t.Fatalf("lookup after import: %+v %v", d, err)
				}
				if _, err := Resolve(context.Background(), e.st, e.cat, "shared@1", "", Trust{Producers: producer}); err != nil {
					t.Fatalf("resolve imported dataset: %v", err)
				}
				return
			}
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.want, tt.text)
			}
			if _, err := Lookup(context.Background(), e.st, e.cat, mustRef(t, "shared@1")); !errors.Is(err, ErrNotFound) {
				t.Fatalf("registered after a refused import: %v", err)
			}
		})
	}
}

func TestImportFromURL(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x\n1\n") })
	p := newEnv(t)
	a, err := p.add(t, "remote@1", s.URL+"/r.csv", AddOptions{Signer: testKey(t, 0)})
	if err != nil {
		t.Fatal(err)
	}
	bom, _ := p.st.ReadBytes(a.BOM)
	bundle, _ := p.st.ReadBytes(a.Bundle)
	e := newEnv(t)
	got, err := Import(context.Background(), e.st, e.cat, ImportOptions{BOM: bom, Bundle: bundle, Keys: []*attest.PublicKey{testKey(t, 0).PublicKey}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Tree != a.Tree {
		t.Fatalf("imported tree %s, want %s", got.Tree, a.Tree)
	}
}
