package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// The hash cache file is cacheMagic followed by fixed-size little-endian
// records: device, inode, size, mtime ns, ctime ns, then the 32-byte sum.
const (
	cacheMagic  = "lockstep-hashes-v1\n"
	cacheRecLen = 5*8 + 32
	// racyWindow: a file modified this close to the moment it was hashed
	// may change again without its mtime moving, so it is not remembered.
	racyWindow = 2 * time.Second
	// maxCacheEntries bounds the file (72 bytes an entry) and the memory
	// it takes once loaded; entries this process did not use go first.
	maxCacheEntries = 1 << 18
)

// hashCache maps file keys to digests; it is loaded on first use. A nil
// *hashCache remembers nothing (a store without local files has none).
type hashCache struct {
	path, tmpDir string
	once         sync.Once
	mu           sync.Mutex
	m            map[fileKey]cacheEntry
	added        map[fileKey][32]byte // entries to save
}

// cacheEntry is a remembered sum and whether this process used it.
type cacheEntry struct {
	sum  [32]byte
	used bool // looked up with success or added: kept first when trimming
}

func newHashCache(path, tmpDir string) *hashCache {
	return &hashCache{path: path, tmpDir: tmpDir, added: map[fileKey][32]byte{}}
}

// load reads the cache file on first use.
func (c *hashCache) load() {
	if c == nil {
		return
	}
	c.once.Do(func() {
		m := readCacheFile(c.path)
		c.m = make(map[fileKey]cacheEntry, len(m))
		for k, sum := range m {
			c.m[k] = cacheEntry{sum: sum}
		}
	})
}

// lookup returns the remembered sha256 of the file with key k, if any.
func (c *hashCache) lookup(k fileKey) ([32]byte, bool) {
	if c == nil {
		return [32]byte{}, false
	}
	c.load()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if ok && !e.used {
		e.used = true
		c.m[k] = e
	}
	return e.sum, ok
}

// remember records that the file with key k hashed to d, unless the file
// was modified within racyWindow of hashedAt, when hashing started.
func (c *hashCache) remember(k fileKey, d core.Digest, hashedAt time.Time) {
	if c == nil || hashedAt.Sub(time.Unix(0, k.mtime)) < racyWindow {
		return
	}
	var sum [32]byte
	if copy(sum[:], d.Sum()) != len(sum) {
		return
	}
	c.load()
	c.mu.Lock()
	c.m[k] = cacheEntry{sum: sum, used: true}
	c.added[k] = sum
	c.mu.Unlock()
}

// save merges the entries added since the last save into the file on disk
// (other processes may have saved meanwhile) and replaces it atomically.
func (c *hashCache) save() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.added) == 0 {
		return nil
	}
	merged := readCacheFile(c.path)
	for k, v := range c.added {
		merged[k] = v
	}
	merged = c.trim(merged)
	err := core.WriteAtomic(c.path, core.WriteOptions{Perm: 0o644, TempDir: c.tmpDir}, func(w io.Writer) error {
		return encodeCache(w, merged)
	})
	if err != nil {
		return fmt.Errorf("save hash cache: %w", err)
	}
	c.added = map[fileKey][32]byte{}
	return nil
}

// trim keeps at most maxCacheEntries of m: first those added or used by
// this process, then any others.
func (c *hashCache) trim(m map[fileKey][32]byte) map[fileKey][32]byte {
	if len(m) <= maxCacheEntries {
		return m
	}
	kept := make(map[fileKey][32]byte, maxCacheEntries)
	for k, v := range m {
		if c.m[k].used && len(kept) < maxCacheEntries {
			kept[k] = v
		}
	}
	for k, v := range m {
		if len(kept) >= maxCacheEntries {
			break
		}
		kept[k] = v
	}
	return kept
}

// readCacheFile loads the cache file at path. A missing or damaged file
// gives the entries that could be read: it is only a cache.
func readCacheFile(path string) map[fileKey][32]byte {
	f, err := os.Open(path)
	if err != nil {
		return map[fileKey][32]byte{}
	}
	defer f.Close()
	m := map[fileKey][32]byte{}
	if fi, err := f.Stat(); err == nil {
		m = make(map[fileKey][32]byte, min(fi.Size()/cacheRecLen, maxCacheEntries))
	}
	_ = decodeCache(bufio.NewReader(f), m)
	return m
}

// decodeCache reads records from r into m until EOF or the first damaged
// record.
func decodeCache(r io.Reader, m map[fileKey][32]byte) error {
	magic := make([]byte, len(cacheMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != cacheMagic {
		return errors.New("hash cache: bad header")
	}
	var rec [cacheRecLen]byte
	for {
		if _, err := io.ReadFull(r, rec[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("hash cache: truncated record: %w", err)
		}
		le := binary.LittleEndian
		k := fileKey{
			dev: le.Uint64(rec[0:]), ino: le.Uint64(rec[8:]),
			size: int64(le.Uint64(rec[16:])), mtime: int64(le.Uint64(rec[24:])), ctime: int64(le.Uint64(rec[32:])),
		}
		if k.size < 0 {
			return fmt.Errorf("hash cache: negative size %d", k.size)
		}
		var sum [32]byte
		copy(sum[:], rec[40:])
		m[k] = sum
	}
}

// encodeCache writes m in the cache file format.
func encodeCache(w io.Writer, m map[fileKey][32]byte) error {
	if _, err := io.WriteString(w, cacheMagic); err != nil {
		return err
	}
	var rec [cacheRecLen]byte
	le := binary.LittleEndian
	for k, sum := range m {
		le.PutUint64(rec[0:], k.dev)
		le.PutUint64(rec[8:], k.ino)
		le.PutUint64(rec[16:], uint64(k.size))
		le.PutUint64(rec[24:], uint64(k.mtime))
		le.PutUint64(rec[32:], uint64(k.ctime))
		copy(rec[40:], sum[:])
		if _, err := w.Write(rec[:]); err != nil {
			return err
		}
	}
	return nil
}
