package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"lockstep.dev/lockstep/internal/core"
)

// MaterializeOptions tune Materialize and MaterializeFile.
type MaterializeOptions struct {
	// Copy copies every file instead of hardlinking it to its object.
	Copy bool
	// Writable gives the files write permission for their owner; it
	// implies Copy, since objects must never be modified.
	Writable bool
}

// ErrDestExists is wrapped when a materialise destination already exists
// (or, for a tree, exists and is not empty).
var ErrDestExists = errors.New("destination exists")

// Materialize recreates tree d at dest, which must not exist or be an empty
// directory. Files are hardlinks to their read-only objects unless opts ask
// for copies; a file whose tree mode has an execute bit is always copied so
// it keeps the bit (read-only unless opts.Writable). Symlinks and empty
// directories are recreated. The tree is built in a temp sibling of dest
// and renamed into place, so on error dest is left as it was.
//
// The copy is not forced to disk (no fsync, as cp, rclone and git checkout
// do none): it is a working copy of objects the store keeps durable, and
// every byte was checked against its digest as it was written. After a
// power loss it may be incomplete; materialise it again from the store.
func (s *Store) Materialize(ctx context.Context, d core.Digest, dest string, opts MaterializeOptions) (err error) {
	t, err := s.GetTree(d)
	if err != nil {
		return fmt.Errorf("materialize: %w", err)
	}
	if err := checkDest(dest); err != nil {
		return fmt.Errorf("materialize %s: %w", d.Short(), err)
	}
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("materialize %s: %w", d.Short(), err)
	}
	tmp, err := os.MkdirTemp(parent, ".lockstep-materialize-*")
	if err != nil {
		return fmt.Errorf("materialize %s: %w", d.Short(), err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("materialize %s: %w", d.Short(), err)
	}
	err = s.placeAll(ctx, len(t.Entries), func(ctx context.Context, i int) error {
		e := t.Entries[i]
		if err := s.placeEntry(ctx, tmp, e, opts); err != nil {
			return fmt.Errorf("materialize %s: %s: %w", d.Short(), e.Path, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// rename(2) itself: os.Rename refuses to replace an empty directory.
	if err := unix.Rename(tmp, dest); err != nil {
		if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTDIR) {
			err = fmt.Errorf("%s: %w and is not an empty directory; choose a new destination", dest, ErrDestExists)
		}
		return fmt.Errorf("materialize %s: rename into %s: %w", d.Short(), dest, err)
	}
	return nil
}

// checkDest refuses a destination that exists and is not an empty directory.
func checkDest(dest string) error {
	fi, err := os.Lstat(dest)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		f, err := os.Open(dest)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Readdirnames(1); errors.Is(err, io.EOF) {
			return nil
		}
	}
	return fmt.Errorf("%s: %w and is not an empty directory; choose a new destination", dest, ErrDestExists)
}

// placeEntry creates one tree entry under root.
func (s *Store) placeEntry(ctx context.Context, root string, e core.TreeEntry, opts MaterializeOptions) error {
	target := filepath.Join(root, filepath.FromSlash(e.Path))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	switch e.Kind {
	case core.KindFile:
		return s.placeFile(ctx, e.Digest, target, e.Mode&0o111 != 0, false, opts)
	case core.KindSymlink:
		return os.Symlink(e.Target, target)
	case core.KindDir:
		return os.MkdirAll(target, 0o755)
	}
	return fmt.Errorf("unknown kind %q", e.Kind)
}
