package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/lock"
	"lockstep.dev/lockstep/internal/store"
)

// HomeDir is the name of the folder lockstep keeps beside a flow.
const HomeDir = ".lockstep"

// Home is an opened lockstep home: the object store and its catalog.
type Home struct {
	Root    string
	Store   *store.Store
	Catalog catalog.Catalog
}

// registerCatalogs registers, once, every catalog implementation this
// binary has with catalog.OpenURL: the one list of them.
var registerCatalogs = sync.OnceFunc(func() {
	catalog.Register(sqlite.Scheme, sqlite.OpenURL)
})

// ErrNoHome is returned by Open when the folder holds no lockstep home.
var ErrNoHome = errors.New("no lockstep home")

// FindHome picks the home folder: explicit (from --home or LOCKSTEP_HOME)
// if given, else the nearest .lockstep folder at or above dir, else
// dir/.lockstep.
func FindHome(explicit, dir string) string {
	if explicit != "" {
		return explicit
	}
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, HomeDir)); err == nil && fi.IsDir() {
			return filepath.Join(d, HomeDir)
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, HomeDir)
		}
	}
}

// Open opens the home at root. With create it makes the folders first;
// without, a missing home is ErrNoHome.
func Open(ctx context.Context, root string, create bool) (*Home, error) {
	if !create {
		if _, err := os.Stat(filepath.Join(root, "catalog.db")); err != nil {
			return nil, fmt.Errorf("%w at %s (run `lockstep init` in your project, or point --home / LOCKSTEP_HOME at one)", ErrNoHome, root)
		}
	}
	st, err := store.Open(root)
	if err != nil {
		return nil, err
	}
	registerCatalogs()
	cat, err := catalog.OpenURL(ctx, sqlite.Scheme+"://"+filepath.Join(root, "catalog.db"))
	if err != nil {
		st.Close()
		return nil, err
	}
	return &Home{Root: root, Store: st, Catalog: cat}, nil
}

// LockPath is the file runs hold shared and gc holds exclusively.
func (h *Home) LockPath() string { return filepath.Join(h.Root, "gc.lock") }

// Lock is the store-wide lock: a flock on LockPath.
func (h *Home) Lock() lock.Locker { return lock.File(h.LockPath()) }

// HoldShared takes the store-wide lock shared, as every run does, for
// work that writes objects before the catalog records what reaches them
// (a run, a dataset, a review, a reproduction report): gc waits until it
// is released, so it cannot sweep those objects in between.
func (h *Home) HoldShared(ctx context.Context) (lock.Held, error) {
	return h.Lock().Shared(ctx)
}

// Close closes the catalog and saves the store's hash cache.
func (h *Home) Close() error {
	return errors.Join(h.Catalog.Close(), h.Store.Close())
}
