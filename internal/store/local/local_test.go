package local_test

import (
	"testing"

	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/store/local"
	"lockstep.dev/lockstep/internal/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Blob {
		l, err := local.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}
