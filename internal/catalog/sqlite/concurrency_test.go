package sqlite

import (
	"os"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
)

func TestMain(m *testing.M) {
	catalog.Register(Scheme, OpenURL)
	catalogtest.ActAsWriter()
	os.Exit(m.Run())
}

// TestConcurrentProcesses has three processes and four goroutines write
// one fresh catalog file at once; SQLite's locks between processes are
// file locks, which only separate processes exercise.
func TestConcurrentProcesses(t *testing.T) {
	catalogtest.ConcurrentProcesses(t, freshURL(t), 3, 4)
}
