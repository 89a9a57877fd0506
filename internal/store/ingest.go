package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

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
	tmpDir   string                    // folder for the temp copy; "" for the store's temp folder
	whole    func(core.Digest, []byte) // shown a small file's bytes (see hashCopyWhole)
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
	f, err := openPlain(path, flags, 0)
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
		in.d, in.n, err = hashCopyWhole(ctx, nil, f, progress, opts.whole)
		if err == nil {
			err = f.Chmod(0o444)
		}
		in.src, in.moved = path, true
	} else {
		in.src, in.d, in.n, err = s.copyTemp(ctx, f, opts.tmpDir, opts.wb, progress, opts.whole)
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

// writebackChunk is how many bytes copyHash writes before it asks the
// kernel to start writing them to disk.
const writebackChunk = 8 << 20

// copyTemp copies the regular file src into a new read-only temp file in
// dir ("" for the store's temp folder) and returns the digest of the copy
// (see copyHash).
func (s *Store) copyTemp(ctx context.Context, src *os.File, dir string, wb *writeback, progress func(int64), whole func(core.Digest, []byte)) (string, core.Digest, int64, error) {
	return s.fillTemp(dir, wb, func(f *os.File) (core.Digest, int64, error) {
		return copyHash(ctx, f, src, progress, whole)
	})
}

// copyHash fills the empty file dst with the bytes of src (both at offset
// 0) and returns their digest. Where the file system can clone (reflink),
// dst shares src's blocks, sharing no writable block, and is read back to
// be hashed. Elsewhere the bytes are read, hashed and written in one pass,
// and every writebackChunk their writeback to disk is started, so that
// the disk writes while the rest is hashed and a later sync finds little
// left to do. Either way the digest is of exactly the bytes in dst, even
// if src changes meanwhile. whole, if not nil, is shown a small file's
// bytes (see hashCopyWhole).
func copyHash(ctx context.Context, dst, src *os.File, progress func(int64), whole func(core.Digest, []byte)) (core.Digest, int64, error) {
	if unix.IoctlFileClone(int(dst.Fd()), int(src.Fd())) == nil {
		return hashCopyWhole(ctx, nil, dst, progress, whole)
	}
	return hashCopyWhole(ctx, &earlyWriteback{f: dst}, src, progress, whole)
}

// earlyWriteback writes to f and starts the writeback of every
// writebackChunk bytes written, without waiting for it.
type earlyWriteback struct {
	f       *os.File
	written int64
	started int64 // bytes whose writeback was started
}

func (w *earlyWriteback) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if err == nil && w.written-w.started >= writebackChunk {
		_ = unix.SyncFileRange(int(w.f.Fd()), w.started, w.written-w.started, unix.SYNC_FILE_RANGE_WRITE)
		w.started = w.written
	}
	return n, err
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
	if s.files != nil && fi.Mode().IsRegular() && fi.Size() <= smallFile {
		if err := ctx.Err(); err != nil {
			return "", 0, fmt.Errorf("put file %s: %w", path, err)
		}
		return s.putSmallFile(path)
	}
	if s.files == nil {
		in, err := s.putRemoteFile(ctx, path, false, nil, nil)
		if err != nil {
			return "", 0, fmt.Errorf("put file %s: %w", path, err)
		}
		return in.d, in.n, nil
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

// smallFile is the size up to which PutFile reads a file whole and asks
// whether the store holds its object before writing anything: a task's
// logs are often empty or the same as before, and writing a temp copy
// only to find the object there costs an fsync.
const smallFile = 256 << 10

// putSmallFile stores a file of at most smallFile bytes read whole,
// refusing one that changed while it was read.
func (s *Store) putSmallFile(path string) (core.Digest, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("put file: %w", err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return "", 0, fmt.Errorf("put file: %w", err)
	}
	hashedAt := time.Now()
	b, err := io.ReadAll(io.LimitReader(f, smallFile+1))
	if err != nil {
		return "", 0, fmt.Errorf("put file %s: %w", path, err)
	}
	after, err := f.Stat()
	if err != nil {
		return "", 0, fmt.Errorf("put file: %w", err)
	}
	if !sameVersion(before, after, int64(len(b))) {
		return "", 0, changedError(path)
	}
	s.hashedBytes.add(int64(len(b)))
	d, err := s.PutBytes(b)
	if err != nil {
		return "", 0, fmt.Errorf("put file %s: %w", path, err)
	}
	if k, ok := keyOf(before); ok {
		s.cache.remember(k, d, hashedAt)
	}
	return d, int64(len(b)), nil
}
