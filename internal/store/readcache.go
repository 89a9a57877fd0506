package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/blobio"
)

// DefaultCacheSize bounds a read cache whose size Options leave at 0.
const DefaultCacheSize = 10 << 30

// readCache is a Blob without local files (a bucket) with a bounded local
// folder of objects already read or written, keyed by digest: Open serves
// a cached copy, still verified as it is read, instead of downloading the
// object again. Objects read to their end through the backend's verifying
// reader, and objects the backend accepted from Put, are kept; the least
// recently used go when the folder outgrows its bound. Several processes
// may share the folder: files appear by rename, whole and read-only.
type readCache struct {
	Blob
	dir string
	max int64

	mu    sync.Mutex
	size  int64 // bytes in the folder, as far as this process knows; -1 before the first count
	stamp map[core.Digest]time.Time
}

// newReadCache returns b with a read cache in dir of at most max bytes.
func newReadCache(b Blob, dir string, max int64) (*readCache, error) {
	if max <= 0 {
		max = DefaultCacheSize
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	return &readCache{Blob: b, dir: dir, max: max, size: -1, stamp: map[core.Digest]time.Time{}}, nil
}

// String names the backend, not the cache.
func (c *readCache) String() string { return fmt.Sprint(c.Blob) }

// path returns where object d is cached.
func (c *readCache) path(d core.Digest) string {
	h := d.Hex()
	return filepath.Join(c.dir, h[:2], h[2:])
}

// Open serves object d from the cache when it holds it, else from the
// backend, keeping a copy once the object was read whole and verified. A
// cached copy that fails verification is removed, so the next Open reads
// the backend again.
func (c *readCache) Open(ctx context.Context, d core.Digest) (io.ReadCloser, error) {
	if !d.Valid() {
		return c.Blob.Open(ctx, d)
	}
	if r, ok, err := c.cached(ctx, d); ok || err != nil {
		return r, err
	}
	r, err := c.Blob.Open(ctx, d)
	if err != nil {
		return nil, err
	}
	return c.fill(d, r, true), nil
}

// cached returns a verifying reader of the cached copy of object d, if
// the cache holds one.
func (c *readCache) cached(ctx context.Context, d core.Digest) (io.ReadCloser, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	p := c.path(d)
	f, err := os.Open(p)
	if err != nil {
		return nil, false, nil
	}
	c.touch(d, p)
	return &cachedReader{ReadCloser: blobio.VerifyReader(f, string(d)), path: p}, true, nil
}

// has reports whether the cache holds a copy of object d.
func (c *readCache) has(d core.Digest) bool {
	_, err := os.Stat(c.path(d))
	return err == nil
}

// openCached is Open that serves a cached copy when there is one but
// keeps no copy of what it reads from the backend.
func (c *readCache) openCached(ctx context.Context, d core.Digest) (io.ReadCloser, error) {
	if !d.Valid() {
		return c.Blob.Open(ctx, d)
	}
	if r, ok, err := c.cached(ctx, d); ok || err != nil {
		return r, err
	}
	return c.Blob.Open(ctx, d)
}

// Put stores the object in the backend and keeps a copy of the bytes the
// backend accepted.
func (c *readCache) Put(ctx context.Context, d core.Digest, r io.Reader) error {
	return c.put(ctx, d, r, c.Blob.Put)
}

// PutNew is Put through the backend's PutNew, when it has one. An object
// the backend held already is not cached: the bytes kept would be the
// caller's, not the ones in the bucket, which may differ if the bucket's
// were altered, and reading them should find that out.
func (c *readCache) PutNew(ctx context.Context, d core.Digest, r io.Reader) error {
	if p, ok := c.Blob.(newPutter); ok {
		return c.put(ctx, d, r, p.PutNew)
	}
	return c.Put(ctx, d, r)
}

// put stores the object with the backend's put and keeps a copy of the
// bytes it accepted.
func (c *readCache) put(ctx context.Context, d core.Digest, r io.Reader, put func(context.Context, core.Digest, io.Reader) error) error {
	if !d.Valid() {
		return put(ctx, d, r)
	}
	f := c.fill(d, io.NopCloser(r), false)
	if err := put(ctx, d, f); err != nil {
		f.Close()
		if errors.Is(err, blobio.ErrExists) {
			return nil // the bucket's bytes are its own, unread
		}
		return err
	}
	f.keep()
	return nil
}

// Delete removes the object from the backend and from the cache.
func (c *readCache) Delete(ctx context.Context, d core.Digest) error {
	if d.Valid() {
		os.Remove(c.path(d))
	}
	return c.Blob.Delete(ctx, d)
}

// touch marks a cached object as used now, at most once a minute, so
// that eviction goes by last use.
func (c *readCache) touch(d core.Digest, p string) {
	now := time.Now()
	c.mu.Lock()
	last := c.stamp[d]
	if now.Sub(last) > time.Minute {
		c.stamp[d] = now
	}
	c.mu.Unlock()
	if now.Sub(last) > time.Minute {
		os.Chtimes(p, now, now)
	}
}

// filler copies what is read from r into a temp file in the cache, and
// installs it under the object's name once r ended cleanly (Open) or the
// backend accepted the bytes (Put).
type filler struct {
	io.ReadCloser
	c    *readCache
	d    core.Digest
	tmp  *os.File // nil once given up
	n    int64
	done bool // r reached EOF
	// verified says that r verifies the bytes (a backend's reader): they
	// are kept at EOF. Otherwise keep is called once the backend accepted
	// them.
	verified bool
}

// fill wraps r, the bytes of object d, in a filler; objects larger than
// an eighth of the cache are not kept.
func (c *readCache) fill(d core.Digest, r io.ReadCloser, verified bool) *filler {
	f := &filler{ReadCloser: r, c: c, d: d, verified: verified}
	f.tmp, _ = os.CreateTemp(filepath.Join(c.dir, "tmp"), "obj-*")
	return f
}

func (f *filler) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	if f.tmp != nil && n > 0 {
		f.n += int64(n)
		if _, werr := f.tmp.Write(p[:n]); werr != nil || f.n > f.c.max/8 {
			f.drop()
		}
	}
	if err == io.EOF {
		f.done = true
		if f.verified {
			f.keep()
		}
	}
	return n, err
}

// keep installs the temp copy when the bytes were read to their end.
func (f *filler) keep() {
	if f.tmp == nil || !f.done {
		f.drop()
		return
	}
	tmp := f.tmp
	f.tmp = nil
	err := tmp.Chmod(0o444)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	p := f.c.path(f.d)
	if err == nil {
		if err = os.Rename(tmp.Name(), p); errors.Is(err, fs.ErrNotExist) {
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = os.Rename(tmp.Name(), p)
			}
		}
	}
	if err != nil {
		os.Remove(tmp.Name())
		return
	}
	f.c.added(f.n)
}

// drop gives up the temp copy.
func (f *filler) drop() {
	if f.tmp != nil {
		f.tmp.Close()
		os.Remove(f.tmp.Name())
		f.tmp = nil
	}
}

func (f *filler) Close() error {
	f.drop()
	return f.ReadCloser.Close()
}

// added accounts n new bytes and evicts the least recently used objects
// down to three quarters of the bound when the cache outgrew it.
func (c *readCache) added(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size >= 0 {
		c.size += n
		if c.size <= c.max {
			return
		}
	}
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var all []entry
	var total int64
	filepath.WalkDir(c.dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() && de.Name() == "tmp" {
			return fs.SkipDir
		}
		if fi, err := de.Info(); err == nil && fi.Mode().IsRegular() {
			all = append(all, entry{p, fi.Size(), fi.ModTime()})
			total += fi.Size()
		}
		return nil
	})
	c.size = total
	if total <= c.max {
		return
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.used.UnixNano(), b.used.UnixNano()) })
	for _, e := range all {
		if c.size <= c.max/4*3 {
			break
		}
		if os.Remove(e.path) == nil {
			c.size -= e.size
		}
	}
}

// cachedReader is a verifying reader of a cached copy that removes the
// copy when it fails verification.
type cachedReader struct {
	io.ReadCloser
	path string
}

func (r *cachedReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if errors.Is(err, ErrCorrupt) {
		os.Remove(r.path)
	}
	return n, err
}
