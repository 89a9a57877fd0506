package postgres

import (
	"os"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
	"lockstep.dev/lockstep/internal/catalog/postgres/pgtest"
)

func TestMain(m *testing.M) {
	catalog.Register(Scheme, OpenURL)
	catalogtest.ActAsWriter()
	os.Exit(pgtest.Main(m))
}

func TestContract(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) string { return pgtest.FreshURL(t) })
}

// TestConcurrentProcesses has four processes and four goroutines, each
// with its own sessions, write one database at once, as lockstep runs on
// several hosts do.
func TestConcurrentProcesses(t *testing.T) {
	catalogtest.ConcurrentProcesses(t, pgtest.FreshURL(t), 4, 4)
}
