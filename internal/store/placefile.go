package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// MaterializeFile puts object d at dest, which must not exist: a hardlink
// to the read-only object unless opts ask for a copy. dest appears whole
// or not at all; like Materialize, it is not forced to disk.
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
	if err := s.placeFile(ctx, d, dest, false, true, opts); err != nil {
		if errors.Is(err, os.ErrExist) {
			err = fmt.Errorf("%s: %w; choose a new destination", dest, ErrDestExists)
		}
		return fmt.Errorf("materialize %s: %w", d.Short(), err)
	}
	return nil
}

// placeFile creates target (which must not exist) with object d's bytes:
// a hardlink to the object's file when allowed and the store has local
// files, else a verified copy. With sync set the copy is written to a
// temp name and linked into place, so target appears whole or not at all;
// without it (a file of a tree Materialize builds in a folder of its own
// and renames into place whole) the copy is written at target itself,
// sparing two directory operations a file. A copy is not forced to disk:
// it is a working copy of an object the store keeps durable.
func (s *Store) placeFile(ctx context.Context, d core.Digest, target string, exec, sync bool, opts MaterializeOptions) error {
	if !d.Valid() {
		return fmt.Errorf("object %q: %w", d, core.ErrBadDigest)
	}
	if s.files != nil && !opts.Copy && !opts.Writable && !exec {
		obj := s.files.ObjectFile(d)
		if err := s.checkObjectFile(ctx, obj, d); err != nil {
			return err
		}
		err := os.Link(obj, target)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, os.ErrNotExist):
			if _, statErr := s.blob.Stat(ctx, d); statErr != nil {
				return statErr
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
	if !sync {
		return s.copyObjectAt(ctx, d, target, perm)
	}
	return s.copyObject(ctx, d, target, perm)
}

// checkObjectFile makes sure the object file obj still holds d's bytes
// before it is linked where a step reads it: a file the hash cache knows by
// (device, inode, size, mtime, ctime) as d is trusted, any other is rehashed
// once and remembered. Rewriting an object changes its ctime, so bytes
// altered on disk are read again and refused.
func (s *Store) checkObjectFile(ctx context.Context, obj string, d core.Digest) error {
	fi, err := os.Stat(obj)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if _, statErr := s.blob.Stat(ctx, d); statErr != nil {
				return statErr
			}
		}
		return err
	}
	if s.knownObjectFile(fi, d) {
		return nil
	}
	k, ok := keyOf(fi)
	started := time.Now()
	if s.cache != nil {
		s.cache.objectRehashes.add(1)
	}
	got, err := HashFile(ctx, obj, nil)
	if err != nil {
		return fmt.Errorf("check object %s: %w", d, err)
	}
	if got != d {
		return fmt.Errorf("object %s: %w: its file now holds %s (run `lockstep check`)", d, ErrCorrupt, got.Short())
	}
	if ok && s.cache != nil {
		s.cache.remember(k, d, started)
	}
	return nil
}

// copyObject writes a verified copy of object d to target with perm,
// through a temp file beside it: copy, check the copy's digest, then link
// to target (which fails if target exists) and drop the temp name. A
// local object is cloned (reflink, sharing no writable block with the
// object) where the file system can, else copied and hashed in one pass;
// either way the digest is of the copy. Without local files the bytes
// come through the blob's verifying reader, or its parallel FetchTo.
func (s *Store) copyObject(ctx context.Context, d core.Digest, target string, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(target), ".lockstep-copy-*")
	if err != nil {
		return err
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	if err := s.fillCopy(ctx, d, f, perm&0o200 == 0); err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		return err
	}
	return os.Link(f.Name(), target)
}

// copyObjectAt is copyObject writing target itself (which must not exist)
// and leaving it unsynced, for a caller that makes a whole folder durable
// at once and that nobody reads before then. A failed copy is removed.
func (s *Store) copyObjectAt(ctx context.Context, d core.Digest, target string, perm os.FileMode) (err error) {
	f, err := os.OpenFile(target, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(target)
		}
	}()
	if err := s.fillCopy(ctx, d, f, perm&0o200 == 0); err != nil {
		return err
	}
	return f.Chmod(perm)
}

// fillCopy writes object d's bytes into the empty file f and checks them.
// Without local files, the bytes are kept in the read cache only for a
// read-only copy (a task's input); a writable one (`get`) is the user's
// own copy already.
func (s *Store) fillCopy(ctx context.Context, d core.Digest, f *os.File, cache bool) error {
	if s.files == nil {
		if done, err := s.fetchCopy(ctx, d, f, cache); done {
			return err
		}
		open := s.blob.Open
		if c, ok := s.blob.(*readCache); ok && !cache {
			open = c.openCached
		}
		r, err := open(ctx, d)
		if err != nil {
			return err
		}
		defer r.Close()
		if _, _, err := hashCopy(ctx, f, r, nil); err != nil {
			return fmt.Errorf("copy object %s: %w", d, err)
		}
		return nil
	}
	src, err := os.Open(s.files.ObjectFile(d))
	if err != nil {
		if _, statErr := s.blob.Stat(ctx, d); statErr != nil {
			return statErr
		}
		return err
	}
	defer src.Close()
	got, _, err := copyHash(ctx, f, src, nil, nil)
	if err != nil {
		return fmt.Errorf("copy object %s: %w", d, err)
	}
	if got != d {
		return fmt.Errorf("object %s: bytes hash to %s: %w", d, got, ErrCorrupt)
	}
	return nil
}

// knownObjectFile reports whether the hash cache knows the file described
// by fi, by (device, inode, size, mtime, ctime), as holding d's bytes:
// rewriting an object changes its ctime, so altered bytes are not known.
func (s *Store) knownObjectFile(fi os.FileInfo, d core.Digest) bool {
	k, ok := keyOf(fi)
	if !ok || s.cache == nil {
		return false
	}
	sum, _, hit := s.cache.lookup(k)
	return hit && core.DigestFromSum(sum[:]) == d
}
