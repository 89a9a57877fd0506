package store

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"lockstep.dev/lockstep/internal/store/local"
	"lockstep.dev/lockstep/internal/store/s3"
)

// Opener opens the blob backend a store URL names.
type Opener func(ctx context.Context, u *url.URL) (Blob, error)

// registry maps URL schemes to backends. It lists every backend lockstep
// has, here, in one place; Register adds others (a test's, say).
var registry = struct {
	sync.Mutex
	openers map[string]Opener
}{openers: map[string]Opener{
	"file":    openLocal,
	s3.Scheme: openS3,
}}

// openLocal opens a local folder named by a file:// URL.
func openLocal(_ context.Context, u *url.URL) (Blob, error) {
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("store URL %s: a file:// URL names a folder on this machine, not on host %q; write file:///path", u, u.Host)
	}
	return local.Open(u.Path)
}

// openS3 opens a bucket of an S3-compatible service named by an s3:// URL.
func openS3(ctx context.Context, u *url.URL) (Blob, error) {
	return s3.Open(ctx, u)
}

// Register makes the backend open available under URL scheme (without
// "://"). Registering a scheme twice is a programming error and panics.
func Register(scheme string, open Opener) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.openers[scheme]; dup {
		panic("store: scheme " + scheme + " registered twice")
	}
	registry.openers[scheme] = open
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	registry.Lock()
	defer registry.Unlock()
	var s []string
	for k := range registry.openers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// Options tune OpenURLWith.
type Options struct {
	// CacheDir is a local folder of caches: a backend without local files
	// (a bucket) keeps a verified copy of the objects it reads and writes
	// in CacheDir/objects, so that reading them again costs no download,
	// and the digests of the files it stored in CacheDir/hashes, so that
	// storing them again unchanged costs no hashing; "" for none.
	CacheDir string
	// CacheSize bounds CacheDir in bytes; 0 means DefaultCacheSize.
	CacheSize int64
}

// OpenURL opens the store that location names: a URL whose scheme picks
// the backend (file:///path/to/home), or a bare path, which means a local
// folder. An unknown scheme is an error listing the known ones.
func OpenURL(ctx context.Context, location string) (*Store, error) {
	return OpenURLWith(ctx, location, Options{})
}

// OpenURLWith is OpenURL with options.
func OpenURLWith(ctx context.Context, location string, opts Options) (*Store, error) {
	u := &url.URL{Scheme: "file", Path: location}
	if strings.Contains(location, "://") {
		var err error
		if u, err = url.Parse(location); err != nil {
			return nil, fmt.Errorf("store URL %q: %w", location, err)
		}
	}
	registry.Lock()
	open, ok := registry.openers[u.Scheme]
	registry.Unlock()
	if !ok {
		return nil, fmt.Errorf("store URL %s: unknown scheme %q; known schemes: %s", location, u.Scheme, strings.Join(Schemes(), ", "))
	}
	b, err := open(ctx, u)
	if err != nil {
		return nil, err
	}
	_, local := b.(LocalFiles)
	if local || opts.CacheDir == "" {
		return New(b)
	}
	c, err := newReadCache(b, filepath.Join(opts.CacheDir, "objects"), opts.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("store %s: read cache: %w", b, err)
	}
	s, err := New(c)
	if err != nil {
		return nil, err
	}
	if s.cache, err = remoteHashCache(opts.CacheDir); err != nil {
		return nil, fmt.Errorf("store %s: hash cache: %w", b, err)
	}
	return s, nil
}

// Open opens the store in the local folder root, creating its folders if
// missing. It is OpenURL for a bare path.
func Open(root string) (*Store, error) {
	return OpenURL(context.Background(), root)
}
