package local

import (
	"context"
	"os"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/backend/backendtest"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/task"
)

// lockstepBin is the binary the backend runs as `lockstep task exec`.
var lockstepBin string

func TestMain(m *testing.M) { backendtest.Main(m, &lockstepBin) }

// TestContract runs the contract with the executor's work done in the
// test's process, the default.
func TestContract(t *testing.T) {
	backendtest.Run(t, backendtest.Suite{
		Exe: lockstepBin,
		Open: func(t *testing.T, cfg backend.Config) backend.Backend {
			cfg.InProcess = inProcess(t, cfg)
			b, err := Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
	})
}

// TestContractExecutorProcess runs the contract with a `lockstep task
// exec` process per task (executor: process).
func TestContractExecutorProcess(t *testing.T) {
	backendtest.Run(t, backendtest.Suite{
		Exe: lockstepBin,
		Open: func(t *testing.T, cfg backend.Config) backend.Backend {
			cfg.InProcess = inProcess(t, cfg)
			cfg.Settings = map[string]string{"executor": "process"}
			b, err := Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
	})
}

// inProcess opens cfg's store and catalog as the engine's home would and
// returns the runner that executes tasks with them here.
func inProcess(t *testing.T, cfg backend.Config) backend.Runner {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenURL(ctx, cfg.Store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := home.OpenCatalog(ctx, cfg.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	key := func() ([]byte, error) { return []byte(strings.Repeat("k", 32)), nil }
	return task.Runner(st, task.ExecOptions{Environ: cfg.Environ, WorkDir: cfg.Work, Cache: cat, CacheDir: t.TempDir()}, key)
}

func TestSettingsAreChecked(t *testing.T) {
	cfg := backend.Config{Exe: os.Args[0], Store: "file:///x", Catalog: "sqlite:///x/c.db"}
	for _, bad := range []map[string]string{{"executer": "process"}, {"executor": "thread"}} {
		cfg.Settings = bad
		if _, err := Open(cfg); err == nil || !strings.Contains(err.Error(), "backends: local:") {
			t.Errorf("settings %v: error %v, want one naming backends: local:", bad, err)
		}
	}
}
