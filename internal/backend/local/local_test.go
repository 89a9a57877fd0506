package local

import (
	"testing"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/backend/backendtest"
)

// lockstepBin is the binary the backend runs as `lockstep task exec`.
var lockstepBin string

func TestMain(m *testing.M) { backendtest.Main(m, &lockstepBin) }

func TestContract(t *testing.T) {
	backendtest.Run(t, backendtest.Suite{
		Exe: lockstepBin,
		Open: func(t *testing.T, cfg backend.Config) backend.Backend {
			b, err := Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
	})
}
