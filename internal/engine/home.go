package engine

import (
	"context"

	"lockstep.dev/lockstep/internal/home"
)

// Home is an opened lockstep home (package home) that runs flows.
type Home struct{ *home.Home }

// Open opens the home at root with the embedded defaults or its
// config.yaml, LOCKSTEP_STORE and LOCKSTEP_CATALOG from the process
// environment; with create it makes the home first.
func Open(ctx context.Context, root string, create bool) (*Home, error) {
	return OpenHome(ctx, root, home.Options{Create: create})
}

// OpenHome opens the home at root as home.Open does.
func OpenHome(ctx context.Context, root string, opts home.Options) (*Home, error) {
	h, err := home.Open(ctx, root, opts)
	if err != nil {
		return nil, err
	}
	return &Home{h}, nil
}
