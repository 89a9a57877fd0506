package home

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestOpenDefaultsToTheEmbeddedStoreAndCatalog(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), Dir)
	if _, err := Open(ctx, root, Options{Getenv: env(nil)}); !errors.Is(err, ErrNoHome) {
		t.Fatalf("opening a missing home: %v, want ErrNoHome", err)
	}
	h, err := Open(ctx, root, Options{Create: true, Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.Store.PutBytes([]byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
	if _, err := os.Stat(filepath.Join(root, "catalog.db")); err != nil {
		t.Errorf("no SQLite catalog in the home folder: %v", err)
	}
	h, err = Open(ctx, root, Options{Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if b, err := h.Store.ReadBytes(d); err != nil || string(b) != "hello" {
		t.Errorf("reopened store: %q %v", b, err)
	}
}

func TestConfigAndEnvironmentChooseTheStore(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), Dir)
	shared := t.TempDir()
	cfg := Config{Store: "file://" + shared, Catalog: "sqlite://" + filepath.Join(shared, "index.db")}
	h, err := Open(ctx, root, Options{Create: true, Getenv: env(nil), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.Store.PutBytes([]byte("team"))
	h.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := ReadConfig(root); !reflect.DeepEqual(got, cfg) {
		t.Errorf("config.yaml holds %+v, want %+v", got, cfg)
	}
	if _, err := os.Stat(filepath.Join(shared, "index.db")); err != nil {
		t.Errorf("the catalog is not where config.yaml says: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "catalog.db")); err == nil {
		t.Error("a default catalog was made beside a configured one")
	}
	// A second home pointed at the same store by the environment sees the object.
	other := filepath.Join(t.TempDir(), Dir)
	h2, err := Open(ctx, other, Options{Create: true, Getenv: env(map[string]string{StoreEnv: shared})})
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if !h2.Store.Has(d) {
		t.Error("LOCKSTEP_STORE did not choose the shared store")
	}
	if h2.Config.Store != shared {
		t.Errorf("Config.Store %q, want the override", h2.Config.Store)
	}
}

func TestBadURLsAreRefusedClearly(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		env  map[string]string
		want []string
	}{
		"unknown store scheme":   {map[string]string{StoreEnv: "gopher://x/y"}, []string{`unknown scheme "gopher"`, "file"}},
		"unknown catalog scheme": {map[string]string{CatalogEnv: "mysql://db/x"}, []string{`"mysql"`, "sqlite"}},
		"password in a URL":      {map[string]string{CatalogEnv: "sqlite://bob:hunter2@x/c.db"}, []string{"carries a password", "~/.pgpass", "xxxxx"}},
	} {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), Dir)
			_, err := Open(ctx, root, Options{Create: true, Getenv: env(tc.env)})
			if err == nil {
				t.Fatal("opened")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

func TestConfigErrorsNameTheLine(t *testing.T) {
	for body, want := range map[string]string{
		"store: /a\nstor: /b\n":        `config.yaml:2: unknown key "stor" (known keys: store, catalog, backend, backends, cache_size)`,
		"store: [a]\n":                 "config.yaml:1: store: want a URL string, got a list",
		"store: /a\nstore: /b\n":       "config.yaml:2: store is set twice",
		"- store\n":                    "config.yaml:1: want a mapping",
		"store: 12\n":                  "config.yaml:1: store: want a URL string, got int",
		"store: '/a'\ncatalog: \"\"\n": "",
		"backend: local\n":             "",
		"cache_size: 20GiB\n":          "",
		"cache_size: 1073741824\n":     "",
		"cache_size: 20 gigs\n":        `config.yaml:1: cache_size: invalid size "20 gigs"; write a size such as 20GiB or 500MiB`,
		"cache_size: 0\n":              `config.yaml:1: cache_size: size "0" is out of range`,
		"cache_size: [1]\n":            "config.yaml:1: cache_size: want a size such as 20GiB, got a list",
	} {
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, ConfigFile), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadConfig(root)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v", body, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: error %v, want %q", body, err, want)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("store: s3://b/p?endpoint=http://x\ncatalog: postgres://db/x\n"))
	f.Add([]byte("store: [\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseConfig("config.yaml", b)
		if err != nil && !c.IsZero() && !strings.Contains(err.Error(), "config.yaml") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}

func TestRedact(t *testing.T) {
	if got := Redact("postgres://u:p@db/x"); got != "postgres://u:xxxxx@db/x" {
		t.Errorf("Redact = %q", got)
	}
	if got := Redact("s3://bucket/p"); got != "s3://bucket/p" {
		t.Errorf("Redact = %q", got)
	}
}

func TestBackendSettingsRoundTrip(t *testing.T) {
	root := t.TempDir()
	want := Config{Backend: "slurm", Backends: map[string]map[string]string{"slurm": {"partition": "gpu", "slots": "128"}}}
	if err := WriteConfig(root, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadConfig(root)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %+v, %v; want %+v", got, err, want)
	}
	for text, msg := range map[string]string{
		"backends: slurm\n":                      "backends: want a mapping of backend names",
		"backends:\n  slurm: gpu\n":              "backends.slurm: want a mapping of settings",
		"backends:\n  slurm: {partition: [a]}\n": "backends.slurm.partition: want a value",
	} {
		if _, err := parseConfig("config.yaml", []byte(text)); err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), "config.yaml:") {
			t.Errorf("%q: %v, want %q", text, err, msg)
		}
	}
}

// cache_size in config.yaml bounds the read cache; LOCKSTEP_CACHE_SIZE
// overrides it, and a value that is no size is refused naming the
// variable and the fix.
func TestCacheSize(t *testing.T) {
	root := t.TempDir()
	if err := WriteConfig(root, Config{CacheSize: "20GiB"}); err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(root, env(nil))
	if err != nil || c.CacheBytes() != 20<<30 {
		t.Fatalf("cache_size: 20GiB resolves to %d, %v; want %d", c.CacheBytes(), err, 20<<30)
	}
	c, err = Resolve(root, env(map[string]string{CacheSizeEnv: "512MiB"}))
	if err != nil || c.CacheBytes() != 512<<20 {
		t.Fatalf("LOCKSTEP_CACHE_SIZE=512MiB resolves to %d, %v", c.CacheBytes(), err)
	}
	_, err = Resolve(root, env(map[string]string{CacheSizeEnv: "lots"}))
	if err == nil || !strings.Contains(err.Error(), `LOCKSTEP_CACHE_SIZE="lots"`) || !strings.Contains(err.Error(), "20GiB") {
		t.Fatalf("LOCKSTEP_CACHE_SIZE=lots: error %v, want one naming the variable and the fix", err)
	}
	if c, _ := Resolve(t.TempDir(), env(nil)); c.CacheBytes() != 0 {
		t.Fatalf("no cache_size resolves to %d, want 0 (the default)", c.CacheBytes())
	}
}
