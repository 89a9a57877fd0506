package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/blobio"
)

// Local keeps objects as read-only files in a folder. It is safe for
// concurrent use by goroutines and by several processes at once.
type Local struct {
	root    string
	objects string // ROOT/objects/sha256
	tmp     string // ROOT/tmp
	cache   string // ROOT/cache
}

// Open opens the folder root as a blob store, creating its folders if
// missing. An existing lockstep home opens as it is: the layout is the one
// lockstep has always written.
func Open(root string) (*Local, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", root, err)
	}
	l := &Local{
		root:    abs,
		objects: filepath.Join(abs, "objects", "sha256"),
		tmp:     filepath.Join(abs, "tmp"),
		cache:   filepath.Join(abs, "cache"),
	}
	for _, dir := range []string{l.objects, l.tmp, l.cache} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open store %s: %w", root, err)
		}
	}
	if err := l.makeShards(); err != nil {
		return nil, fmt.Errorf("open store %s: %w", root, err)
	}
	return l, nil
}

// makeShards creates the 256 object directories 00…ff once, so that
// writers do not each create and sync them.
func (l *Local) makeShards() error {
	if _, err := os.Stat(filepath.Join(l.objects, "ff")); err == nil {
		return nil
	}
	for i := range 256 {
		if err := os.Mkdir(filepath.Join(l.objects, fmt.Sprintf("%02x", i)), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return core.SyncDir(l.objects)
}

// String names the store by its folder, for error messages.
func (l *Local) String() string { return l.root }

// ObjectFile returns the path of object d's file, whether or not it exists,
// or "" if d is not a well-formed digest. The file must never be written.
func (l *Local) ObjectFile(d core.Digest) string {
	if !d.Valid() {
		return ""
	}
	h := d.Hex()
	return filepath.Join(l.objects, h[:2], h[2:])
}

// objectFile is ObjectFile with an error for a malformed digest.
func (l *Local) objectFile(d core.Digest) (string, error) {
	p := l.ObjectFile(d)
	if p == "" {
		return "", fmt.Errorf("object %q: %w", d, core.ErrBadDigest)
	}
	return p, nil
}

// StagingDir returns the folder for temp files, on the objects' file system:
// a file written there can be renamed into the store by InstallObject.
func (l *Local) StagingDir() string { return l.tmp }

// StoreCacheDir returns the folder where the store keeps its caches.
func (l *Local) StoreCacheDir() string { return l.cache }

// Put stores r's bytes as object d: it streams them into a temp file while
// hashing them, and installs the file under d's name only if they hash to
// d (else the error wraps blobio.ErrCorrupt and nothing is stored). The
// object is durable when Put returns. An object that exists is not
// rewritten and r is not read.
func (l *Local) Put(ctx context.Context, d core.Digest, r io.Reader) error {
	dst, err := l.objectFile(d)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(dst); err == nil && fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.CreateTemp(l.tmp, "obj-*")
	if err != nil {
		return fmt.Errorf("put object %s: %w", d, err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	n, err := copyContext(ctx, f, blobio.VerifyReader(r, string(d)))
	if err == nil {
		err = f.Chmod(0o444)
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return fmt.Errorf("put object %s: %w", d, err)
	}
	dir, err := l.InstallObject(f.Name(), d, n)
	if err != nil || dir == "" {
		return err
	}
	return core.SyncDir(dir)
}

// copyContext copies r to w, checking ctx between chunks.
func copyContext(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, rerr := r.Read(buf)
		if k > 0 {
			if _, err := w.Write(buf[:k]); err != nil {
				return n, err
			}
			n += int64(k)
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// InstallObject renames the durable, read-only file src (in StagingDir, or
// elsewhere on the same file system) into place as object d of n bytes, and
// returns the directory to sync to make the new name durable ("" if
// nothing was renamed). If the object already exists with n bytes, src is
// removed instead: objects are written once. On error src is left where it
// is for the caller to deal with.
func (l *Local) InstallObject(src string, d core.Digest, n int64) (string, error) {
	dst, err := l.objectFile(d)
	if err != nil {
		return "", err
	}
	if fi, err := os.Lstat(dst); err == nil && fi.Mode().IsRegular() && fi.Size() == n {
		if err := os.Remove(src); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("put object %s: drop duplicate: %w", d.Short(), err)
		}
		return "", nil
	}
	dir := filepath.Dir(dst)
	err = os.Rename(src, dst)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o755); err == nil {
			if err = core.SyncDir(l.objects); err == nil {
				err = os.Rename(src, dst)
			}
		}
	}
	if err != nil {
		return "", fmt.Errorf("put object %s: %w", d.Short(), err)
	}
	return dir, nil
}

// Open returns a reader of object d that verifies the bytes as they are
// read (blobio.VerifyReader): read to EOF before trusting them.
func (l *Local) Open(ctx context.Context, d core.Digest) (io.ReadCloser, error) {
	p, err := l.objectFile(d)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, objectErr("open", d, err)
	}
	return blobio.VerifyReader(f, string(d)), nil
}

// Stat returns the length of object d; the error wraps blobio.ErrNotFound
// when the store does not hold it.
func (l *Local) Stat(ctx context.Context, d core.Digest) (int64, error) {
	p, err := l.objectFile(d)
	if err != nil {
		return 0, err
	}
	fi, err := os.Lstat(p)
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		return 0, objectErr("stat", d, err)
	}
	return fi.Size(), nil
}

// Delete removes object d; the error wraps blobio.ErrNotFound when it is
// missing. A removal lost in a crash only leaves garbage for the next gc,
// so it is not synced.
func (l *Local) Delete(ctx context.Context, d core.Digest) error {
	p, err := l.objectFile(d)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		return objectErr("remove", d, err)
	}
	return nil
}

// objectErr wraps err from operation op on object d, adding
// blobio.ErrNotFound when the object does not exist.
func objectErr(op string, d core.Digest, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s object %s: %w", op, d, blobio.ErrNotFound)
	}
	return fmt.Errorf("%s object %s: %w", op, d, err)
}

// isHex reports whether s is n lowercase hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}
