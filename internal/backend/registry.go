package backend

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Opener opens a backend with its configuration.
type Opener func(cfg Config) (Backend, error)

// ErrUnknown is wrapped by Open's error for a name nobody registered.
var ErrUnknown = errors.New("unknown backend")

// registry maps backend names to their openers. The program registers
// every backend it has, once, in one place (the CLI's list).
var registry = struct {
	sync.RWMutex
	openers map[string]Opener
}{openers: map[string]Opener{}}

// Register makes a backend available to Open under name. Registering a
// name twice, an empty name or a nil opener is a programming error and
// panics.
func Register(name string, open Opener) {
	if name == "" || open == nil {
		panic("backend: Register needs a name and an opener")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.openers[name]; dup {
		panic("backend: " + name + " registered twice")
	}
	registry.openers[name] = open
}

// Names returns the registered backends, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]string, 0, len(registry.openers))
	for n := range registry.openers {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Open opens the backend registered under name. An unknown name is an
// error wrapping ErrUnknown that lists the known ones.
func Open(name string, cfg Config) (Backend, error) {
	registry.RLock()
	open := registry.openers[name]
	registry.RUnlock()
	if open == nil {
		known := strings.Join(Names(), ", ")
		if known == "" {
			known = "none registered"
		}
		return nil, fmt.Errorf("--on %s: %w (known: %s)", name, ErrUnknown, known)
	}
	b, err := open(cfg)
	if err != nil {
		return nil, fmt.Errorf("open backend %s: %w", name, err)
	}
	return b, nil
}
