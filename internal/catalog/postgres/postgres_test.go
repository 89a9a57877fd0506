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
	os.Exit(pgtest.Main(m))
}

func TestContract(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) string { return pgtest.FreshURL(t) })
}
