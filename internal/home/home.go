package home

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/postgres"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/lock"
	"lockstep.dev/lockstep/internal/lock/pglock"
	"lockstep.dev/lockstep/internal/store"
)

// Dir is the name of the folder lockstep keeps beside a flow.
const Dir = ".lockstep"

// Environment variables that override config.yaml.
const (
	StoreEnv     = "LOCKSTEP_STORE"
	CatalogEnv   = "LOCKSTEP_CATALOG"
	CacheSizeEnv = "LOCKSTEP_CACHE_SIZE"
)

// ErrNoHome is returned by Open when the folder holds no lockstep home.
var ErrNoHome = errors.New("no lockstep home")

// Home is an opened lockstep home.
type Home struct {
	// Root is the home folder: config, work and temp folders, lock file.
	Root string
	// Store holds the objects.
	Store *store.Store
	// Catalog indexes them.
	Catalog catalog.Catalog
	// Config is what the home was opened with, overrides applied; empty
	// fields mean the defaults.
	Config Config
	// URLs are where the store and catalog are, defaults filled in: what
	// an executor elsewhere is told to open.
	URLs Config
}

// Options say how to open a home.
type Options struct {
	// Create makes the home folder (and the store and catalog) when missing;
	// without it a missing home is ErrNoHome.
	Create bool
	// Getenv looks up LOCKSTEP_STORE and LOCKSTEP_CATALOG; nil means
	// os.Getenv.
	Getenv func(string) string
	// Config, when Create makes a new home, is written as its config.yaml
	// (`lockstep init --store URL --catalog URL`).
	Config Config
}

// Find picks the home folder: explicit (from --home or LOCKSTEP_HOME) if
// given, else the nearest .lockstep folder at or above dir, else
// dir/.lockstep.
func Find(explicit, dir string) string {
	if explicit != "" {
		return explicit
	}
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, Dir)); err == nil && fi.IsDir() {
			return filepath.Join(d, Dir)
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, Dir)
		}
	}
}

// registerCatalogs registers, once, every catalog implementation this
// binary has: the one place they are named (the store's registry lists
// its backends itself).
var registerCatalogs = sync.OnceFunc(func() {
	catalog.Register(sqlite.Scheme, sqlite.OpenURL)
	catalog.Register(postgres.Scheme, postgres.OpenURL)
	catalog.Register(postgres.AltScheme, postgres.OpenURL)
})

// Open opens the home at root: its store and catalog from config.yaml,
// LOCKSTEP_STORE and LOCKSTEP_CATALOG, or the embedded defaults.
func Open(ctx context.Context, root string, opts Options) (*Home, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	exists := isHome(root)
	// A shared catalog named by the environment is a home already: this
	// machine only needs its local folder.
	if !exists && !opts.Create && getenv(CatalogEnv) == "" {
		return nil, fmt.Errorf("%w at %s (run `lockstep init` in your project, or point --home / LOCKSTEP_HOME at one)", ErrNoHome, root)
	}
	if !exists {
		if err := os.MkdirAll(root, 0o755); err != nil {
			return nil, fmt.Errorf("create home %s: %w", root, err)
		}
		if !opts.Config.IsZero() {
			if err := CheckURLs(opts.Config); err != nil {
				return nil, err
			}
			if err := WriteConfig(root, opts.Config); err != nil {
				return nil, err
			}
		}
	}
	cfg, urls, err := resolve(root, getenv)
	if err != nil {
		return nil, err
	}
	for _, dir := range []string{filepath.Join(root, "work"), filepath.Join(root, "tmp")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open home %s: %w", root, err)
		}
	}
	st, err := store.OpenURLWith(ctx, urls.Store, store.Options{CacheDir: CacheDir(root), CacheSize: cfg.CacheBytes()})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", Redact(urls.Store), err)
	}
	cat, err := OpenCatalog(ctx, urls.Catalog)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open catalog %s: %w", Redact(urls.Catalog), err)
	}
	return &Home{Root: root, Store: st, Catalog: cat, Config: cfg, URLs: urls}, nil
}

// Resolve says where the home at root keeps its objects and its index:
// config.yaml, overridden by LOCKSTEP_STORE and LOCKSTEP_CATALOG (through
// getenv; nil means os.Getenv), else the embedded defaults (the home
// folder, SQLite in HOME/catalog.db). Both URLs are filled in. It is what
// an executor on another host uses when it is given no URLs.
func Resolve(root string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	_, urls, err := resolve(root, getenv)
	return urls, err
}

// resolve returns the home's config with overrides applied, and the URLs
// with defaults filled in.
func resolve(root string, getenv func(string) string) (cfg, urls Config, err error) {
	if cfg, err = ReadConfig(root); err != nil {
		return cfg, urls, err
	}
	if v := getenv(StoreEnv); v != "" {
		cfg.Store = v
	}
	if v := getenv(CatalogEnv); v != "" {
		cfg.Catalog = v
	}
	if v := getenv(CacheSizeEnv); v != "" {
		if _, err := parseCacheSize(v); err != nil {
			return cfg, urls, fmt.Errorf("%s=%q: %v", CacheSizeEnv, v, err)
		}
		cfg.CacheSize = v
	}
	if err := CheckURLs(cfg); err != nil {
		return cfg, urls, err
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	urls = cfg
	if urls.Store == "" {
		urls.Store = "file://" + root
	}
	if urls.Catalog == "" {
		urls.Catalog = sqlite.Scheme + "://" + filepath.Join(root, "catalog.db")
	}
	return cfg, urls, nil
}

// OpenCatalog opens the catalog a URL names with every catalog
// implementation this binary has.
func OpenCatalog(ctx context.Context, url string) (catalog.Catalog, error) {
	registerCatalogs()
	return catalog.OpenURL(ctx, url)
}

// isHome says whether root holds a home: a config or the default catalog.
func isHome(root string) bool {
	for _, name := range []string{ConfigFile, "catalog.db"} {
		if _, err := os.Stat(filepath.Join(root, name)); err == nil {
			return true
		}
	}
	return false
}

// CheckURLs refuses a URL that carries a password: credentials come from
// the AWS chain or libpq's environment, never from a file lockstep reads
// back into messages and records.
func CheckURLs(c Config) error {
	for _, f := range []struct{ name, env, url, where string }{
		{"store", StoreEnv, c.Store, "the AWS credential chain (AWS_ACCESS_KEY_ID, ~/.aws/credentials)"},
		{"catalog", CatalogEnv, c.Catalog, "PGPASSWORD or ~/.pgpass"},
	} {
		u, err := url.Parse(f.url)
		if err != nil || u.User == nil {
			continue
		}
		if _, has := u.User.Password(); has {
			return fmt.Errorf("%s URL %s carries a password: remove it and put the credential in %s", f.name, Redact(f.url), f.where)
		}
	}
	return nil
}

// CacheDir is the home's folder of caches; a store without local files (a
// bucket) keeps verified copies of its objects there, so that they are
// not downloaded again.
func CacheDir(root string) string { return filepath.Join(root, "cache") }

// LockPath is the file runs hold shared and gc holds exclusively when
// the catalog is local.
func (h *Home) LockPath() string { return filepath.Join(h.Root, "gc.lock") }

// Lock is the store-wide lock runs hold shared and gc exclusively. With a
// PostgreSQL catalog, which hosts share, it is held in that database
// (lock/pglock), so gc on one host waits for runs on all of them;
// otherwise it is a flock on LockPath.
func (h *Home) Lock() lock.Locker {
	if postgres.IsURL(h.URLs.Catalog) {
		return pglock.New(h.URLs.Catalog)
	}
	return lock.File(h.LockPath())
}

// HoldShared takes the store-wide lock shared, as every run does, for
// work that writes objects before the catalog records what reaches them
// (a run, a dataset, a review, a reproduction report): gc waits until it
// is released, so it cannot sweep those objects in between.
func (h *Home) HoldShared(ctx context.Context) (lock.Held, error) {
	return h.Lock().Shared(ctx)
}

// WorkDir is where tasks get their work folders on this machine.
func (h *Home) WorkDir() string { return filepath.Join(h.Root, "work") }

// TempDir is where commands put temporary files and folders on this
// machine (models being signed, code being reviewed, task results).
func (h *Home) TempDir() string { return filepath.Join(h.Root, "tmp") }

// Close closes the catalog and saves the store's hash cache.
func (h *Home) Close() error {
	return errors.Join(h.Catalog.Close(), h.Store.Close())
}
