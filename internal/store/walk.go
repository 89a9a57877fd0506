package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// Walk calls fn with every object's digest and size, in digest order. An
// error from fn stops the walk and is returned. A local store's files that
// are not valid object names are skipped and reported at the end as a
// *StrayFilesError. Objects added or removed during the walk may or may
// not be seen.
func (s *Store) Walk(ctx context.Context, fn func(d core.Digest, size int64) error) error {
	return s.blob.List(ctx, "", fn)
}

// Remove deletes object d; the error wraps ErrNotFound when it is missing.
// Only gc calls it, under the store's exclusive lock. Before the first
// removal the hash cache's removal token is replaced, so that no cache
// file written before vouches for objects any more (see hashCache).
func (s *Store) Remove(d core.Digest) error {
	if !d.Valid() {
		return fmt.Errorf("object %q: %w", d, core.ErrBadDigest)
	}
	var sum [32]byte
	copy(sum[:], d.Sum())
	if err := s.cache.beginRemoval(sum); err != nil {
		return fmt.Errorf("remove object %s: %w", d.Short(), err)
	}
	return s.blob.Delete(context.Background(), d)
}

// CleanTemp removes the store's temp files last modified more than
// olderThan ago, left behind by writers that were killed, and returns how
// many it removed. Younger temp files may belong to a writer still at
// work. A store without local files stages in the system's temp folder,
// which it does not clean.
func (s *Store) CleanTemp(olderThan time.Duration) (int, error) {
	if s.files == nil {
		return 0, nil
	}
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return 0, fmt.Errorf("clean temp files: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	removed := 0
	for _, e := range entries {
		p := filepath.Join(s.tmp, e.Name())
		if !lastModified(p).Before(cutoff) {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return removed, fmt.Errorf("clean temp files: %w", err)
		}
		removed++
	}
	return removed, nil
}

// lastModified returns when the temp file or staging folder p last
// changed: for a folder, the latest of its own mtime and its entries'
// (a staging folder's workers write in folders of their own). An entry
// that cannot be read counts as modified now, so it is left alone.
func lastModified(p string) time.Time {
	fi, err := os.Lstat(p)
	if err != nil {
		return time.Now()
	}
	t := fi.ModTime()
	if !fi.IsDir() {
		return t
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return time.Now()
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return time.Now()
		}
		if info.ModTime().After(t) {
			t = info.ModTime()
		}
	}
	return t
}
