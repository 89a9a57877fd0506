package engine

import (
	"context"
	"path/filepath"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
)

// BackendConfig is how an executor started by a backend reaches this
// home: the store and catalog by URL and the home's work folder (which gc
// empties), with exe as the lockstep binary and environ as the executor's
// environment.
func (h *Home) BackendConfig(exe string, environ []string) backend.Config {
	return BackendConfigAt(h.Root, exe, environ)
}

// BackendConfigAt is BackendConfig for the home at root, without opening it.
func BackendConfigAt(root, exe string, environ []string) backend.Config {
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	return backend.Config{
		Exe:     exe,
		Store:   "file://" + root,
		Catalog: sqlite.Scheme + "://" + filepath.Join(root, "catalog.db"),
		Work:    filepath.Join(root, "work"),
		Environ: environ,
	}
}

// OpenCatalog opens the catalog a URL names with every catalog this
// binary has registered: what an executor opens to look up the cache.
func OpenCatalog(ctx context.Context, url string) (catalog.Catalog, error) {
	registerCatalogs()
	return catalog.OpenURL(ctx, url)
}
