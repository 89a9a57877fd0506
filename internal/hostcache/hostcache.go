// Package hostcache remembers, across processes, answers about this host
// that are slow to get: which interpreter a pyenv shim selects, where an
// interpreter's prefixes are, the OS package list, the distributions in a
// site-packages folder. Each answer is kept with the identity (device,
// inode, size, modification and change times, or absence) of the files it
// was read from, and is given back only while every one of them still has
// it; a file changed, added or removed means the answer is asked again.
//
// Every executor is a process of its own, so without this each task would
// ask pyenv (a good part of a second) and re-read the package databases.
// The cache is a folder of small files, one per answer, replaced whole
// (written to a temporary file and renamed), so concurrent processes never
// see a torn answer; an unreadable or unparsable file is a miss. It holds
// no secrets: keys and answers are file paths, versions and names.
package hostcache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// racyWindow: a file modified this close to the moment it was stamped
// may change again without its modification time moving (coarse file
// system clocks), so an answer read from it is kept in memory only.
const racyWindow = 2 * time.Second

// maxAnswer bounds the size of one stored answer read back.
const maxAnswer = 16 << 20

// Stamp is the identity of one version of a file or folder, or of its
// absence.
type Stamp struct {
	Path    string `json:"p"`
	Missing bool   `json:"x,omitempty"`
	Dev     uint64 `json:"d,omitempty"`
	Ino     uint64 `json:"i,omitempty"`
	Size    int64  `json:"s,omitempty"`
	Mtime   int64  `json:"m,omitempty"`
	Ctime   int64  `json:"c,omitempty"`
}

// StampOf returns the current identity of path (following links).
func StampOf(path string) Stamp {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return Stamp{Path: path, Missing: true}
	}
	return Stamp{
		Path: path, Dev: uint64(st.Dev), Ino: st.Ino, Size: st.Size,
		Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(),
	}
}

// Stamps returns the identities of paths.
func Stamps(paths ...string) []Stamp {
	out := make([]Stamp, len(paths))
	for i, p := range paths {
		out[i] = StampOf(p)
	}
	return out
}

// racy reports whether a stamp is too recent to trust across processes.
func (s Stamp) racy(now time.Time) bool {
	if s.Missing {
		return false
	}
	return s.Mtime > now.Add(-racyWindow).UnixNano()
}

// entry is one stored answer.
type entry struct {
	Key    string          `json:"key"`
	Stamps []Stamp         `json:"stamps"`
	Value  json.RawMessage `json:"value"`

	// decoded is Value as Remember last decoded it (guarded by the
	// cache's mutex): a process asks the same question once per task.
	decoded any
}

// valid reports whether every file of the entry keeps its identity.
func (e *entry) valid() bool {
	for _, s := range e.Stamps {
		if StampOf(s.Path) != s {
			return false
		}
	}
	return true
}

// Cache is a folder of remembered answers, with those of this process
// also kept in memory. The zero Cache remembers in memory only.
type Cache struct {
	dir string
	mu  sync.Mutex
	mem map[string]*entry
}

// Open returns the cache kept in dir ("" for memory only). The folder is
// made when the first answer is stored.
func Open(dir string) *Cache { return &Cache{dir: dir} }

var (
	sharedMu sync.Mutex
	shared   = &Cache{}
)

// Use makes dir the folder of the process's shared cache (Shared); a
// program calls it once it knows its home, before asking anything.
func Use(dir string) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	shared = Open(dir)
}

// Shared returns the process's cache: in memory only until Use names a
// folder.
func Shared() *Cache {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	return shared
}

// file returns where key's answer is kept.
func (c *Cache) file(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:16])+".json")
}

// lookup returns key's valid entry, from memory or the folder.
func (c *Cache) lookup(key string) *entry {
	c.mu.Lock()
	e := c.mem[key]
	c.mu.Unlock()
	if e == nil && c.dir != "" {
		if e = c.read(key); e != nil {
			c.mu.Lock()
			if c.mem == nil {
				c.mem = map[string]*entry{}
			}
			c.mem[key] = e
			c.mu.Unlock()
		}
	}
	if e == nil || !e.valid() {
		return nil
	}
	return e
}

// read loads key's entry from the folder, nil when absent or unreadable.
func (c *Cache) read(key string) *entry {
	f, err := os.Open(c.file(key))
	if err != nil {
		return nil
	}
	defer f.Close()
	var e entry
	dec := json.NewDecoder(io.LimitReader(f, maxAnswer))
	if dec.Decode(&e) != nil || e.Key != key {
		return nil
	}
	return &e
}

// Get decodes key's answer into v and reports whether there was a valid
// one.
func (c *Cache) Get(key string, v any) bool {
	e := c.lookup(key)
	return e != nil && json.Unmarshal(e.Value, v) == nil
}

// Put remembers v as key's answer, valid while the files keep the
// identities in stamps (taken before the answer was read). It is kept in
// the folder too unless a stamp is too recent to trust; failing to write
// it there only means it is asked again.
func (c *Cache) Put(key string, stamps []Stamp, v any) {
	c.put(key, stamps, v)
}

// put is Put, returning the entry kept in memory (nil when v does not
// encode).
func (c *Cache) put(key string, stamps []Stamp, v any) *entry {
	value, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	e := &entry{Key: key, Stamps: stamps, Value: value}
	c.mu.Lock()
	if c.mem == nil {
		c.mem = map[string]*entry{}
	}
	c.mem[key] = e
	c.mu.Unlock()
	now := time.Now()
	for _, s := range stamps {
		if s.racy(now) {
			return e
		}
	}
	if c.dir != "" {
		c.write(key, e)
	}
	return e
}

// write replaces key's file with e.
func (c *Cache) write(key string, e *entry) {
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return
	}
	f, err := os.CreateTemp(c.dir, ".answer-*")
	if err != nil {
		return
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), c.file(key)) != nil {
		os.Remove(f.Name())
	}
}

// Remember returns key's answer when a valid one is kept, else the one
// ask gives, which it remembers valid while the files keep the
// identities they had before it was asked, and the files ask names in
// its answer keep those they have after. An answer is decoded once per
// process and then shared by every caller: callers must not modify it.
func Remember[T any](c *Cache, key string, files []string, ask func() (T, []string, error)) (T, error) {
	if e := c.lookup(key); e != nil {
		c.mu.Lock()
		v, ok := e.decoded.(T)
		c.mu.Unlock()
		if ok {
			return v, nil
		}
		if json.Unmarshal(e.Value, &v) == nil {
			c.mu.Lock()
			e.decoded = v
			c.mu.Unlock()
			return v, nil
		}
	}
	before := Stamps(files...)
	v, more, err := ask()
	if err != nil {
		return v, err
	}
	if e := c.put(key, append(before, Stamps(more...)...), v); e != nil {
		c.mu.Lock()
		e.decoded = v
		c.mu.Unlock()
	}
	return v, nil
}

// Dir returns the folder for this host's answers under a cache folder:
// one per host name, so that hosts sharing a home over a network file
// system keep theirs apart.
func Dir(cacheDir string) string {
	name, err := os.Hostname()
	if err != nil || name == "" || strings.ContainsAny(name, `/\`) {
		name = "localhost"
	}
	return filepath.Join(cacheDir, "host-"+name)
}
