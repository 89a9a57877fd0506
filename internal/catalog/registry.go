package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Opener opens the catalog a URL names, creating and migrating it as
// needed. It is given the whole URL, scheme included.
type Opener func(ctx context.Context, url string) (Catalog, error)

// DefaultScheme is the scheme of a location written without one: a bare
// path names an SQLite file.
const DefaultScheme = "sqlite"

// registry maps a URL scheme to the Opener of its implementation.
var registry = struct {
	sync.RWMutex
	openers map[string]Opener
}{openers: map[string]Opener{}}

// Register makes an implementation available to OpenURL under scheme. The
// program that opens catalogs registers every implementation it has, once,
// in one place; registering a scheme twice is a programming error and
// panics, as does an empty scheme or a nil opener.
func Register(scheme string, open Opener) {
	if scheme == "" || open == nil {
		panic("catalog: Register needs a scheme and an opener")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.openers[scheme]; dup {
		panic("catalog: scheme " + scheme + " registered twice")
	}
	registry.openers[scheme] = open
}

// Schemes returns the registered schemes, sorted.
func Schemes() []string {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]string, 0, len(registry.openers))
	for s := range registry.openers {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// OpenURL opens the catalog at location, a URL whose scheme picks the
// implementation ("sqlite:///abs/catalog.db", "sqlite://rel/catalog.db"),
// or a bare path, which means an SQLite file. An unknown scheme fails with
// an error that lists the known ones.
func OpenURL(ctx context.Context, location string) (Catalog, error) {
	scheme, _, ok := strings.Cut(location, "://")
	if !ok || !validScheme(scheme) {
		scheme, ok = DefaultScheme, false
	}
	registry.RLock()
	open := registry.openers[scheme]
	registry.RUnlock()
	if open == nil {
		known := strings.Join(Schemes(), ", ")
		if known == "" {
			known = "none registered"
		}
		return nil, fmt.Errorf("open catalog %s: unknown scheme %q (known: %s)", location, scheme, known)
	}
	if !ok {
		location = scheme + "://" + location
	}
	return open(ctx, location)
}

// validScheme reports whether s is a URL scheme (RFC 3986: a letter, then
// letters, digits, '+', '-' or '.'), so that a path such as "a/b://c" is
// read as a path.
func validScheme(s string) bool {
	for i, r := range s {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}
