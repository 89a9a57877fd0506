package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"sync"

	"lockstep.dev/lockstep/internal/core"
)

// bufSize is the size of the buffers bytes are streamed through.
const bufSize = 1 << 20

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// Put streams r into the store and returns the digest and length of its
// bytes. The object is durable when Put returns. Putting bytes the store
// already holds is cheap and returns the same digest.
func (s *Store) Put(ctx context.Context, r io.Reader) (core.Digest, int64, error) {
	tmp, d, n, err := s.writeTemp(ctx, r, nil)
	if err != nil {
		return "", 0, fmt.Errorf("put object: %w", err)
	}
	if err := s.installSynced(ctx, tmp, d, n); err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	return d, n, nil
}

// PutBytes stores b and returns its digest. Bytes the store already holds
// are not written again: a local store checks first (a stat saves a temp
// file); a remote blob's Put checks itself, so asking here too would cost
// a second round trip.
func (s *Store) PutBytes(b []byte) (core.Digest, error) {
	if d := core.DigestOf(b); s.files != nil && s.Has(d) {
		return d, nil
	}
	d, _, err := s.Put(context.Background(), bytes.NewReader(b))
	return d, err
}

// PutJSON stores v encoded as canonical JSON (core.CanonicalJSON) and
// returns the digest that names it.
//
// Records such as a task's environment (a thousand OS packages) are put
// again and again with the same content: the digest each encoding gave is
// remembered, so putting it again costs the first encoding and a lookup,
// not the canonical pass and the digest.
func (s *Store) PutJSON(v any) (core.Digest, error) {
	raw, err := core.EncodeJSON(v)
	if err != nil {
		return "", fmt.Errorf("put json: %w", err)
	}
	key := sha256.Sum256(raw)
	if d, ok := s.jsonDigests.get(key); ok && s.Has(d) {
		return d, nil
	}
	b, err := core.Canonicalize(raw)
	if err != nil {
		return "", fmt.Errorf("put json: %w", err)
	}
	d, err := s.PutBytes(b)
	if err == nil {
		s.jsonDigests.put(key, d)
	}
	return d, err
}

// digestMemo remembers the digests of recently put JSON encodings, by the
// SHA-256 of the encoding; it forgets everything when full.
type digestMemo struct {
	mu sync.Mutex
	m  map[[32]byte]core.Digest
}

// maxDigestMemo bounds a digestMemo.
const maxDigestMemo = 4096

func (m *digestMemo) get(k [32]byte) (core.Digest, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.m[k]
	return d, ok
}

func (m *digestMemo) put(k [32]byte, d core.Digest) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= maxDigestMemo {
		m.m = make(map[[32]byte]core.Digest)
	}
	m.m[k] = d
}

// writeTemp streams r through sha256 into a new read-only, fsynced temp
// file in the store's temp folder. progress, if not nil, gets the number of bytes of
// each chunk read. On error the temp file is removed.
func (s *Store) writeTemp(ctx context.Context, r io.Reader, progress func(int64)) (string, core.Digest, int64, error) {
	return s.fillTemp("", nil, func(f *os.File) (core.Digest, int64, error) {
		return hashCopy(ctx, f, r, progress)
	})
}

// fillTemp creates a temp file in dir ("" for the store's temp folder),
// has fill write it and return the digest and length of what it wrote,
// then makes the file read-only and fsyncs and closes it, or, when wb is
// not nil, leaves it to wb (for the caller's later syncfs). On error the
// temp file is removed.
func (s *Store) fillTemp(dir string, wb *writeback, fill func(f *os.File) (core.Digest, int64, error)) (tmp string, d core.Digest, n int64, err error) {
	if dir == "" {
		dir = s.tmp
	}
	f, err := createTemp(dir, "obj-")
	if err != nil {
		return "", "", 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if d, n, err = fill(f); err != nil {
		return "", "", 0, err
	}
	if err = f.Chmod(0o444); err != nil {
		return "", "", 0, err
	}
	if wb != nil {
		wb.finish(f)
		return f.Name(), d, n, nil
	}
	if err = f.Sync(); err == nil {
		err = f.Close()
	}
	if err != nil {
		return "", "", 0, err
	}
	return f.Name(), d, n, nil
}

// hashCopy copies r to w (w may be nil to only hash) through a pooled
// buffer and returns the digest and length of the bytes, checking ctx
// between chunks.
func hashCopy(ctx context.Context, w io.Writer, r io.Reader, progress func(int64)) (core.Digest, int64, error) {
	return hashCopyWhole(ctx, w, r, progress, nil)
}

// hashCopyWhole is hashCopy that also shows whole, when not nil, the
// bytes and their digest if they fitted in the buffer's first fill (up to
// 1 MiB): a caller that must look at every byte of a small file can do it
// without reading the file again. The bytes are only valid during the call.
func hashCopyWhole(ctx context.Context, w io.Writer, r io.Reader, progress func(int64), whole func(core.Digest, []byte)) (core.Digest, int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	h := core.NewHash()
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return "", 0, err
		}
		k, rerr := io.ReadFull(r, buf)
		if k > 0 {
			h.Write(buf[:k])
			if w != nil {
				if _, err := w.Write(buf[:k]); err != nil {
					return "", 0, err
				}
			}
			n += int64(k)
			if progress != nil {
				progress(int64(k))
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return "", 0, rerr
		}
	}
	d := core.DigestFromSum(h.Sum(nil))
	if whole != nil && n < int64(len(buf)) {
		whole(d, buf[:n])
	}
	return d, n, nil
}

// install makes the durable file src object d of size n and returns the
// directory that must be synced to make its new name durable ("" if
// none). With local files src is renamed into place (or removed when the
// object exists); otherwise its bytes go through the blob's Put, which
// verifies them, and src is removed. On error src is left where it is for
// the caller to deal with.
func (s *Store) install(ctx context.Context, src string, d core.Digest, n int64) (string, error) {
	if s.files != nil {
		return s.files.InstallObject(src, d, n)
	}
	f, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("put object %s: %w", d.Short(), err)
	}
	defer f.Close()
	if err := s.blob.Put(ctx, d, f); err != nil {
		return "", err
	}
	return "", os.Remove(src)
}

// installSynced is install followed by a sync of the object's directory.
func (s *Store) installSynced(ctx context.Context, src string, d core.Digest, n int64) error {
	dir, err := s.install(ctx, src, d, n)
	if err != nil || dir == "" {
		return err
	}
	if err := core.SyncDir(dir); err != nil {
		return fmt.Errorf("put object %s: %w", d.Short(), err)
	}
	return nil
}
