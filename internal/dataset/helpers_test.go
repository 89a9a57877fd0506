package dataset

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/store"
)

// env is a store and catalog in a temp folder.
type env struct {
	root string
	st   *store.Store
	cat  catalog.Catalog
}

func newEnv(t testing.TB) *env {
	t.Helper()
	root := t.TempDir()
	st, err := store.Open(filepath.Join(root, "home"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := sqlite.Open(context.Background(), filepath.Join(root, "home", "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close(); st.Close() })
	return &env{root: root, st: st, cat: cat}
}

// writeFiles creates files (path → content) under a new folder in dir.
func writeFiles(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var (
	keysOnce sync.Once
	keys     [3]*attest.Signer
)

// testKey returns one of three fixed test signers (generated once).
func testKey(t testing.TB, i int) *attest.Signer {
	t.Helper()
	keysOnce.Do(func() {
		for j := range keys {
			k, err := attest.GenerateKey("")
			if err != nil {
				panic(err)
			}
			keys[j] = k
		}
	})
	return keys[i]
}

func mustRef(t testing.TB, s string) Ref {
	t.Helper()
	r, err := ParseRef(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// add registers dir (or URL) under ref with the options' defaults.
func (e *env) add(t testing.TB, ref, src string, o AddOptions) (*Added, error) {
	t.Helper()
	o.Ref, o.Source = mustRef(t, ref), src
	return Add(context.Background(), e.st, e.cat, o)
}

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// validateCycloneDX checks b against the official CycloneDX 1.6 JSON schema
// (testdata/schema, see its README).
func validateCycloneDX(t testing.TB, b []byte) {
	t.Helper()
	schemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		for _, name := range []string{"bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"} {
			f, err := os.Open(filepath.Join("testdata", "schema", name))
			if err != nil {
				schemaErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(f)
			f.Close()
			if err != nil {
				schemaErr = err
				return
			}
			if err := c.AddResource("http://cyclonedx.org/schema/"+name, doc); err != nil {
				schemaErr = err
				return
			}
		}
		schema, schemaErr = c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
	})
	if schemaErr != nil {
		t.Fatalf("load CycloneDX schema: %v", schemaErr)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("BOM is not JSON: %v", err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("BOM does not validate against CycloneDX 1.6: %v\n%s", err, b)
	}
}
