package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"lockstep.dev/lockstep/internal/core"
)

// ErrNotFound is wrapped by errors about an object the store does not hold.
var ErrNotFound = errors.New("object not found")

// ErrCorrupt is wrapped by errors about an object whose bytes do not match
// its digest.
var ErrCorrupt = errors.New("object corrupt")

// Store is a content-addressed object store in a local folder. It is safe
// for concurrent use by goroutines and by several processes at once.
type Store struct {
	root    string
	objects string // ROOT/objects/sha256
	tmp     string // ROOT/tmp
	dev     uint64 // device of ROOT/tmp, to tell when files can be moved in

	cache *hashCache

	// hashedBytes counts file bytes read for hashing by PutFile and
	// PutTree; tests use it to see that the hash cache was used.
	hashedBytes counter
}

// Open opens the store rooted at root, creating its folders if missing.
func Open(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", root, err)
	}
	s := &Store{
		root:    abs,
		objects: filepath.Join(abs, "objects", "sha256"),
		tmp:     filepath.Join(abs, "tmp"),
	}
	for _, dir := range []string{s.objects, s.tmp, filepath.Join(abs, "cache")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open store %s: %w", root, err)
		}
	}
	if err := s.makeShards(); err != nil {
		return nil, fmt.Errorf("open store %s: %w", root, err)
	}
	fi, err := os.Stat(s.tmp)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", root, err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev = st.Dev
	}
	s.cache = newHashCache(filepath.Join(abs, "cache", "hashes"), s.tmp)
	return s, nil
}

// makeShards creates the 256 object directories 00…ff once, so that
// writers do not each create and sync them.
func (s *Store) makeShards() error {
	if _, err := os.Stat(filepath.Join(s.objects, "ff")); err == nil {
		return nil
	}
	for i := range 256 {
		if err := os.Mkdir(filepath.Join(s.objects, fmt.Sprintf("%02x", i)), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return syncDir(s.objects)
}

// Root returns the store's folder as an absolute path.
func (s *Store) Root() string { return s.root }

// Close saves the hash cache if it changed. The store stays usable; a
// later Close saves again.
func (s *Store) Close() error {
	if err := s.cache.save(); err != nil {
		return fmt.Errorf("close store %s: %w", s.root, err)
	}
	return nil
}

// ObjectPath returns the local path of d's object file, whether or not it
// exists, or "" if d is not a well-formed digest. Callers may hardlink it
// but must never write to it.
func (s *Store) ObjectPath(d core.Digest) string {
	if !d.Valid() {
		return ""
	}
	h := d.Hex()
	return filepath.Join(s.objects, h[:2], h[2:])
}

// objectPath is ObjectPath with an error for a malformed digest.
func (s *Store) objectPath(d core.Digest) (string, error) {
	p := s.ObjectPath(d)
	if p == "" {
		return "", fmt.Errorf("object %q: %w", d, core.ErrBadDigest)
	}
	return p, nil
}

// HashedBytes reports how many bytes of files PutFile and PutTree have read
// to hash them since the store was opened. Bytes whose digest came from the
// hash cache are not counted.
func (s *Store) HashedBytes() int64 { return s.hashedBytes.load() }
