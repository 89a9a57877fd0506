package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"lockstep.dev/lockstep/internal/core"
)

// MaterializeFile puts object d at dest, which must not exist: a hardlink
// to the read-only object unless opts ask for a copy. dest appears whole
// or not at all.
func (s *Store) MaterializeFile(ctx context.Context, d core.Digest, dest string, opts MaterializeOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("materialize %s: %s: %w; choose a new destination", d.Short(), dest, ErrDestExists)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("materialize %s: %w", d.Short(), err)
	}
	if err := s.placeFile(d, dest, false, true, opts); err != nil {
		if errors.Is(err, os.ErrExist) {
			err = fmt.Errorf("%s: %w; choose a new destination", dest, ErrDestExists)
		}
		return fmt.Errorf("materialize %s: %w", d.Short(), err)
	}
	return nil
}

// placeFile creates target (which must not exist) with object d's bytes:
// a hardlink when allowed, else a verified copy written to a temp name and
// linked into place (fsynced first if sync is set).
func (s *Store) placeFile(d core.Digest, target string, exec, sync bool, opts MaterializeOptions) error {
	obj, err := s.objectPath(d)
	if err != nil {
		return err
	}
	if !opts.Copy && !opts.Writable && !exec {
		err := os.Link(obj, target)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, os.ErrNotExist):
			if _, statErr := os.Lstat(obj); statErr != nil {
				return objectErr("link", d, statErr)
			}
			return err
		case !errors.Is(err, syscall.EXDEV) && !errors.Is(err, syscall.EPERM) && !errors.Is(err, syscall.EMLINK):
			return err
		}
	}
	perm := os.FileMode(0o444)
	if exec {
		perm |= 0o111
	}
	if opts.Writable {
		perm |= 0o200
	}
	return s.copyObject(d, target, perm, sync)
}

// copyObject writes a verified copy of object d to target with perm,
// through a temp file beside it: copy, check the copy's digest, fsync if
// sync is set, then link to target (which fails if target exists) and
// drop the temp name.
func (s *Store) copyObject(d core.Digest, target string, perm os.FileMode, sync bool) error {
	obj, err := s.objectPath(d)
	if err != nil {
		return err
	}
	src, err := os.Open(obj)
	if err != nil {
		return objectErr("open", d, err)
	}
	defer src.Close()
	f, err := os.CreateTemp(filepath.Dir(target), ".lockstep-copy-*")
	if err != nil {
		return err
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	got, _, err := copyHash(context.Background(), f, src, nil)
	if err != nil {
		return fmt.Errorf("copy object %s: %w", d, err)
	}
	if got != d {
		return fmt.Errorf("object %s: bytes hash to %s: %w", d, got, ErrCorrupt)
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	return os.Link(f.Name(), target)
}
