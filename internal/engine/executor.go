package engine

import (
	"lockstep.dev/lockstep/internal/backend"
)

// BackendConfig is how an executor started by a backend reaches this
// home: the store and catalog by URL (as the home resolved them) and the
// home's work folder (which gc empties), with exe as the lockstep binary
// and environ as the executor's environment; the settings of backend name
// come from the home's config.yaml.
func (h *Home) BackendConfig(name, exe string, environ []string) backend.Config {
	return backend.Config{
		Settings: h.Config.Backends[name],
		Exe:      exe,
		Store:    h.URLs.Store,
		Catalog:  h.URLs.Catalog,
		Work:     h.WorkDir(),
		Environ:  environ,
	}
}
