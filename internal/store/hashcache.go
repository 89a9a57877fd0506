package store

import (
	"fmt"
	"io"
	"sync"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

const (
	// racyWindow: a file modified this close to the moment it was hashed
	// may change again without its mtime moving, so it is not remembered.
	racyWindow = 2 * time.Second
	// maxCacheEntries bounds the file (72 bytes an entry) and the memory
	// it takes once loaded; entries this process did not use go first.
	maxCacheEntries = 1 << 18
)

// hashCache maps file keys to digests; it is loaded on first use. A nil
// *hashCache remembers nothing (a store without local files has none).
//
// An entry is also a claim that the store holds the object: every entry
// is remembered after its object was stored. Objects only go away
// through Store.Remove (gc, under the store's exclusive lock), which first
// replaces the removal token (see removalToken) durably. The cache file
// is tagged with the token it was valid under, so while the token is
// unchanged its entries are trusted without a stat of each object — one
// stat per input file, that of the file itself. After a removal the
// entries are "unverified" until an object stat confirms them, or until
// the remover saves the cache without the objects it removed.
type hashCache struct {
	path, tokenPath, tmpDir string

	once    sync.Once
	mu      sync.Mutex
	m       map[fileKey]cacheEntry
	added   map[fileKey][32]byte // entries to save
	loadTok string               // the removal token when the cache was loaded ("" unknown)
	checked bool                 // an unverified entry was verified: worth saving

	// removed holds the sums of objects this process removed; preTok is
	// the removal token before its first removal ("" before any).
	removed map[[32]byte]struct{}
	preTok  string

	// objectChecks counts stats of objects made to verify entries, and
	// objectRehashes object files read to check them before they are
	// linked; tests use them to see that the cache spared both.
	objectChecks, objectRehashes counter
}

// cacheEntry is a remembered sum, whether this process used it, and
// whether the store is known to hold its object.
type cacheEntry struct {
	sum      [32]byte
	used     bool // looked up with success or added: kept first when trimming
	verified bool // the object is held: trusted file, object stat, or added here
}

func newHashCache(path, tmpDir string) *hashCache {
	return &hashCache{path: path, tokenPath: tokenPathOf(path), tmpDir: tmpDir, added: map[fileKey][32]byte{}}
}

// load reads the cache file on first use.
func (c *hashCache) load() {
	if c == nil {
		return
	}
	c.once.Do(func() {
		tok := readRemovalToken(c.tokenPath)
		trusted := false
		_, err := readCacheFileFunc(c.path, func(fileTok string, n int) {
			trusted = tok != "" && fileTok == tok
			c.m = make(map[fileKey]cacheEntry, n)
		}, func(k fileKey, sum [32]byte) {
			c.m[k] = cacheEntry{sum: sum, verified: trusted}
		})
		if c.m == nil {
			c.m = map[fileKey]cacheEntry{}
		}
		if err != nil && trusted {
			// A damaged file vouches for nothing: its entries are kept as
			// unverified, to be confirmed by a stat of their objects.
			for k, e := range c.m {
				e.verified = false
				c.m[k] = e
			}
		}
		c.mu.Lock()
		c.loadTok = tok
		c.mu.Unlock()
	})
}

// lookup returns the remembered sha256 of the file with key k, if any,
// and whether the store is known to hold its object.
func (c *hashCache) lookup(k fileKey) (sum [32]byte, verified, ok bool) {
	if c == nil {
		return [32]byte{}, false, false
	}
	c.load()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if ok && !e.used {
		e.used = true
		c.m[k] = e
	}
	if _, gone := c.removed[e.sum]; gone {
		e.verified = false
	}
	return e.sum, e.verified, ok
}

// verify records that the store holds the object of the entry with key k.
func (c *hashCache) verify(k fileKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok && !e.verified {
		e.verified = true
		c.m[k] = e
		c.checked = true
	}
}

// remember records that the file with key k hashed to d, unless the file
// was modified within racyWindow of hashedAt, when hashing started. The
// object d must be in the store.
func (c *hashCache) remember(k fileKey, d core.Digest, hashedAt time.Time) {
	if c == nil || hashedAt.Sub(time.Unix(0, k.mtime)) < racyWindow {
		return
	}
	c.add(k, d)
}

// rememberObject records that the object file with key k holds d. The
// racy window does not apply: lockstep wrote the file itself from the
// bytes it hashed, made it read-only and renamed it into place, and any
// later change to it (which needs a chmod first) moves its ctime. It
// spares the first materialisation of a newly stored object a rereading.
func (c *hashCache) rememberObject(k fileKey, d core.Digest) {
	if c != nil {
		c.add(k, d)
	}
}

// add records the entry k → d, its object known to be stored.
func (c *hashCache) add(k fileKey, d core.Digest) {
	var sum [32]byte
	if copy(sum[:], d.Sum()) != len(sum) {
		return
	}
	c.load()
	c.mu.Lock()
	c.m[k] = cacheEntry{sum: sum, used: true, verified: true}
	c.added[k] = sum
	delete(c.removed, sum) // stored again
	c.mu.Unlock()
}

// save merges the entries added since the last save into the file on disk
// (other processes may have saved meanwhile) and replaces it atomically.
// The file is tagged with the current removal token when every entry in
// it is known to have its object; otherwise it is written untrusted.
func (c *hashCache) save() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.added) == 0 && c.removed == nil && !c.checked {
		return nil
	}
	cur := readRemovalToken(c.tokenPath)
	disk, fileTok := readCacheFile(c.path)
	merged, tag := disk, ""
	if cur != "" && cur == c.loadTok {
		// No removal since this process loaded (or the removals were its
		// own): what it verified holds, and so does a file tagged with the
		// current token, or with the token before its own removals.
		tag = cur
		if fileTok != cur && (c.preTok == "" || fileTok != c.preTok) {
			merged = map[fileKey][32]byte{}
		}
		for k, e := range c.m {
			if e.verified {
				merged[k] = e.sum
			}
		}
		for k, sum := range merged {
			if _, gone := c.removed[sum]; gone {
				delete(merged, k)
			}
		}
	}
	for k, v := range c.added {
		merged[k] = v
	}
	merged = c.trim(merged)
	err := core.WriteAtomic(c.path, core.WriteOptions{Perm: 0o644, TempDir: c.tmpDir}, func(w io.Writer) error {
		return encodeCache(w, tag, merged)
	})
	if err != nil {
		return fmt.Errorf("save hash cache: %w", err)
	}
	c.added, c.checked = map[fileKey][32]byte{}, false
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
