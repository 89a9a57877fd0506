package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// StrayFilesError is returned by Walk when the objects folder holds files
// whose names are not object names. Every object was still visited.
type StrayFilesError struct {
	// Paths are the stray files, relative to the store root.
	Paths []string
}

// Error says how many stray files there are and names the first.
func (e *StrayFilesError) Error() string {
	return fmt.Sprintf("%d stray files in the objects folder (first: %s); they are not objects and can be removed",
		len(e.Paths), e.Paths[0])
}

// Walk calls fn with every object's digest and size, in digest order. An
// error from fn stops the walk and is returned. Files that are not valid
// object names are skipped and reported at the end as a *StrayFilesError.
// Objects added or removed during the walk may or may not be seen.
func (s *Store) Walk(ctx context.Context, fn func(d core.Digest, size int64) error) error {
	shards, err := os.ReadDir(s.objects)
	if err != nil {
		return fmt.Errorf("walk objects: %w", err)
	}
	var strays []string
	stray := func(parts ...string) {
		strays = append(strays, filepath.Join(append([]string{"objects", "sha256"}, parts...)...))
	}
	for _, shard := range shards {
		if !shard.IsDir() || !isHex(shard.Name(), 2) {
			stray(shard.Name())
			continue
		}
		files, err := os.ReadDir(filepath.Join(s.objects, shard.Name()))
		if err != nil {
			return fmt.Errorf("walk objects: %w", err)
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !f.Type().IsRegular() || !isHex(f.Name(), 62) {
				stray(shard.Name(), f.Name())
				continue
			}
			info, err := f.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since ReadDir
			}
			if err != nil {
				return fmt.Errorf("walk objects: %w", err)
			}
			if err := fn(core.Digest(core.DigestPrefix+shard.Name()+f.Name()), info.Size()); err != nil {
				return err
			}
		}
	}
	if len(strays) > 0 {
		return &StrayFilesError{Paths: strays}
	}
	return nil
}

// isHex reports whether s is n lowercase hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}

// Remove deletes object d; the error wraps ErrNotFound when it is missing.
// Only gc calls it, under the store's exclusive lock. A removal lost in a
// crash only leaves garbage for the next gc, so it is not synced.
func (s *Store) Remove(d core.Digest) error {
	p, err := s.objectPath(d)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		return objectErr("remove", d, err)
	}
	return nil
}

// CleanTemp removes temp files last modified more than olderThan ago, left
// behind by writers that were killed, and returns how many it removed.
// Younger temp files may belong to a writer still at work.
func (s *Store) CleanTemp(olderThan time.Duration) (int, error) {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return 0, fmt.Errorf("clean temp files: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	removed := 0
	for _, e := range entries {
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("clean temp files: %w", err)
		}
		if !info.ModTime().Before(cutoff) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.tmp, e.Name())); err != nil {
			return removed, fmt.Errorf("clean temp files: %w", err)
		}
		removed++
	}
	return removed, nil
}
