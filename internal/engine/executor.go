package engine

import (
	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/task"
)

// BackendConfig is how an executor started by a backend reaches this
// home: the store and catalog by URL (as the home resolved them) and the
// home's work folder (which gc empties), with exe as the lockstep binary
// and environ as the executor's environment; the settings of backend name
// come from the home's config.yaml. InProcess runs a task here, with the
// home's open store and catalog, for backends whose tasks run on this
// machine.
func (h *Home) BackendConfig(name, exe string, environ []string) backend.Config {
	return backend.Config{
		Settings:  h.Config.Backends[name],
		Exe:       exe,
		Store:     h.URLs.Store,
		Catalog:   h.URLs.Catalog,
		Work:      h.WorkDir(),
		Environ:   environ,
		InProcess: h.execHere(environ),
	}
}

// execHere returns the Runner that does what `lockstep task exec` does,
// in this process, with the home's store and catalog.
func (h *Home) execHere(environ []string) backend.Runner {
	return task.Runner(h.Store, task.ExecOptions{Environ: environ, WorkDir: h.WorkDir(), Cache: h.Catalog, CacheDir: home.CacheDir(h.Root)}, h.SecretKey)
}
