package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// ingested is a file hashed and ready to be installed as an object: src is
// either a temp copy under ROOT/tmp or, when moved is set, the original
// file, which install will rename into the store.
type ingested struct {
	d        core.Digest
	n        int64
	src      string
	moved    bool
	key      fileKey
	hashedAt time.Time
}

// ingestOptions say how ingestFile treats one file.
type ingestOptions struct {
	noFollow bool       // refuse a symlink at path (PutTree already saw it as a file)
	wb       *writeback // nil: fsync the temp copy; else leave it to wb (PutTree syncs the file system once)
	move     bool       // rename the file itself when it is safe to
	progress func(int64)
}

// ingestFile hashes the regular file at path into a temp copy, or hashes it
// in place when opts.move allows, and checks that it did not change while
// it was read.
func (s *Store) ingestFile(ctx context.Context, path string, opts ingestOptions) (in ingested, err error) {
	flags := os.O_RDONLY
	if opts.noFollow {
		flags |= syscall.O_NOFOLLOW
	}
	in.hashedAt = time.Now()
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return in, err
	}
	handedOver := false // to opts.wb, which closes it
	defer func() {
		if !handedOver {
			f.Close()
		}
	}()
	before, err := f.Stat()
	if err != nil {
		return in, err
	}
	if !before.Mode().IsRegular() {
		return in, fmt.Errorf("%s is not a regular file", path)
	}
	in.key, _ = keyOf(before)
	progress := func(n int64) {
		s.hashedBytes.add(n)
		if opts.progress != nil {
			opts.progress(n)
		}
	}
	if opts.move && s.canMove(before) {
		in.d, in.n, err = hashCopy(ctx, nil, f, progress)
		if err == nil {
			err = f.Chmod(0o444)
		}
		in.src, in.moved = path, true
	} else {
		in.src, in.d, in.n, err = s.copyTemp(ctx, f, opts.wb, progress)
	}
	if err != nil {
		return in, err
	}
	after, err := f.Stat()
	if err == nil && !sameVersion(before, after, in.n) {
		err = fmt.Errorf("%s changed while it was being read; try again once it is no longer being written", path)
	}
	if err != nil && !in.moved {
		os.Remove(in.src)
	}
	if err == nil && in.moved && opts.wb != nil {
		// A task's output may not be on disk yet: start writing it.
		handedOver = true
		opts.wb.finish(f)
	}
	return in, err
}

// copyChunk is how much copyHash copies between checks of its context.
const copyChunk = 64 << 20

// copyTemp copies the regular file src into a new read-only temp file and
// returns the digest of the copy (see copyHash).
func (s *Store) copyTemp(ctx context.Context, src *os.File, wb *writeback, progress func(int64)) (string, core.Digest, int64, error) {
	return s.fillTemp(wb, func(f *os.File) (core.Digest, int64, error) {
		return copyHash(ctx, f, src, progress)
	})
}

// copyHash copies src to the empty file dst in the kernel (copy_file_range:
// no copy through user space, which costs ext4 several times more CPU than
// a read), then reads dst back to hash it. The digest is of exactly the
// bytes in dst, even if src changes meanwhile.
func copyHash(ctx context.Context, dst, src *os.File, progress func(int64)) (core.Digest, int64, error) {
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return "", 0, err
		}
		k, err := io.CopyN(dst, src, copyChunk)
		n += k
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", 0, err
		}
	}
	if _, err := dst.Seek(0, io.SeekStart); err != nil {
		return "", 0, err
	}
	d, hashed, err := hashCopy(ctx, nil, dst, progress)
	if err == nil && hashed != n {
		err = fmt.Errorf("copy holds %d bytes, %d were copied", hashed, n)
	}
	return d, n, err
}

// canMove reports whether a file may be renamed into the store: it lives
// on the store's file system and has no other hardlink through which the
// object could later be modified.
func (s *Store) canMove(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && s.files != nil && st.Nlink == 1 && st.Dev == s.dev
}

// sameVersion reports whether a file kept its size and mtime while n bytes
// were read from it.
func sameVersion(before, after os.FileInfo, n int64) bool {
	return before.Size() == n && after.Size() == n && before.ModTime().Equal(after.ModTime())
}

// PutFile stores the file at path (following a symlink) and returns its
// digest and size. Its digest is remembered in the hash cache, so putting
// the unchanged file again does not reread it.
func (s *Store) PutFile(ctx context.Context, path string) (core.Digest, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", 0, fmt.Errorf("put file: %w", err)
	}
	if d, ok := s.cachedDigest(fi); ok {
		return d, fi.Size(), nil
	}
	in, err := s.ingestFile(ctx, path, ingestOptions{})
	if err != nil {
		return "", 0, fmt.Errorf("put file %s: %w", path, err)
	}
	if err := s.installSynced(ctx, in.src, in.d, in.n); err != nil {
		os.Remove(in.src)
		return "", 0, fmt.Errorf("put file %s: %w", path, err)
	}
	s.cache.remember(in.key, in.d, in.hashedAt)
	return in.d, in.n, nil
}
