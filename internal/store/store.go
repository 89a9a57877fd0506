package store

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Store is content addressing over a Blob: objects named by the sha256 of
// their bytes, trees of them, a hash cache and a materialiser. It is safe
// for concurrent use by goroutines and by several processes at once.
type Store struct {
	blob  Blob
	files LocalFiles // the blob's local fast paths; nil when it has none
	tmp   string     // temp files: the blob's StagingDir, else the system's
	dev   uint64     // device of tmp, to tell when files can be moved in

	cache *hashCache // nil without local files or a cache folder

	// hashedBytes counts file bytes read for hashing by PutFile and
	// PutTree; tests use it to see that the hash cache was used.
	hashedBytes counter

	// jsonDigests remembers what PutJSON stored (see there).
	jsonDigests digestMemo
}

// New returns a store keeping its objects in b. When b implements
// LocalFiles the store uses its fast paths (hardlinks, moves, the hash
// cache); otherwise every byte goes through b's Put and Open, staged in
// the system's temp folder.
func New(b Blob) (*Store, error) {
	s := &Store{blob: b, tmp: os.TempDir()}
	if f, ok := b.(LocalFiles); ok {
		s.files, s.tmp = f, f.StagingDir()
		s.cache = newHashCache(filepath.Join(f.StoreCacheDir(), "hashes"), s.tmp)
	}
	fi, err := os.Stat(s.tmp)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev = st.Dev
	}
	return s, nil
}

// Blob returns the backend the store keeps its objects in.
func (s *Store) Blob() Blob { return s.blob }

// Close saves the hash cache if it changed. The store stays usable; a
// later Close saves again.
func (s *Store) Close() error {
	if err := s.cache.save(); err != nil {
		return fmt.Errorf("close store %s: %w", s.blob, err)
	}
	return nil
}

// HashedBytes reports how many bytes of files PutFile and PutTree have read
// to hash them since the store was opened. Bytes whose digest came from the
// hash cache are not counted.
func (s *Store) HashedBytes() int64 { return s.hashedBytes.load() }
