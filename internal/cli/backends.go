package cli

import (
	"errors"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/backend/kubernetes"
	"lockstep.dev/lockstep/internal/backend/local"
	"lockstep.dev/lockstep/internal/backend/slurm"
	"lockstep.dev/lockstep/internal/engine"
)

// registerBackends registers, once, every backend this binary has: the
// one list of them.
var registerBackends = sync.OnceFunc(func() {
	backend.Register(local.Name, local.Open)
	backend.Register(slurm.Name, slurm.Open)
	backend.Register(kubernetes.Name, kubernetes.Open)
})

// addOnFlag adds --on, the backend tasks run on, to a command that runs a
// flow.
func addOnFlag(c *cobra.Command, on *string) {
	registerBackends()
	c.Flags().StringVar(on, "on", "", "run the tasks on this backend ("+strings.Join(backend.Names(), ", ")+"; default: backend: in the home's config.yaml, else "+local.Name+")")
}

// openBackend opens the backend named by --on, else by the home's
// config.yaml, else the local one, for the home h; an unknown name is a
// usage error listing the known ones.
func openBackend(name string, h *engine.Home, environ []string) (backend.Backend, error) {
	registerBackends()
	if name == "" {
		name = h.Config.Backend
	}
	if name == "" {
		name = local.Name
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b, err := backend.Open(name, h.BackendConfig(name, exe, environ))
	if errors.Is(err, backend.ErrUnknown) {
		return nil, &usageError{err}
	}
	return b, err
}
