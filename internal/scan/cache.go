package scan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"lockstep.dev/lockstep/internal/core"
)

// Version names the scanner's rules. Change it whenever a file's verdict,
// format or findings may change, so that verdicts remembered by earlier
// versions (see Cache) are not reused. The binary's VCS revision is part
// of the cache key too, so a released build never trusts another's.
const Version = "scan/5"

// Memo is where a Cache keeps its entries: a persistent map, such as the
// store's (store.Memo), safe for concurrent use.
type Memo interface {
	Get(key string) ([]byte, bool)
	Put(key string, value []byte)
}

// Cache remembers reports by the digest of the bytes scanned, the
// extensions of the file's name (a name can claim a format the bytes must
// then have: the same bytes are clean as notes.txt and invalid as
// notes.json), the scanner version and the options, so that a file already
// scanned under the same rules is not scanned again. A report that depends on more than the
// file's own bytes (ONNX, whose external data sits in other files) is
// never remembered. A nil *Cache remembers nothing.
type Cache struct {
	memo   Memo
	opts   Options
	prefix string // version and options, hashed

	// decoded keeps the reports decoded so far by their encoding: the
	// files of a dataset share a handful of reports (every JSON-lines
	// shard is clean JSON), each decoded once.
	mu      sync.Mutex
	decoded map[string]*Report
}

// maxDecoded bounds the reports a Cache keeps decoded.
const maxDecoded = 4096

// NewCache returns a cache of reports made with opts, kept in memo; nil
// if memo is nil.
func NewCache(memo Memo, opts Options) *Cache {
	if memo == nil {
		return nil
	}
	o, _ := json.Marshal(opts)
	h := sha256.New()
	h.Write([]byte(Version + "\x00" + buildRevision() + "\x00"))
	h.Write(o)
	return &Cache{memo: memo, opts: opts, prefix: hex.EncodeToString(h.Sum(nil)[:12]) + ":"}
}

// ScanWhole returns what scans a file from its whole bytes b (its digest
// d, its path for its name) and remembers the report, unless one is
// remembered already; nil for a nil Cache. It fits store.TreeOptions'
// Content: a file is then scanned from the bytes read to store it, and a
// later Get finds its report without reading the file again. A file that
// cannot be judged from its own bytes (ONNX) is not remembered, and is
// left to the scan that needs it.
func (c *Cache) ScanWhole(ctx context.Context) func(path string, d core.Digest, b []byte) {
	if c == nil {
		return nil
	}
	return func(path string, d core.Digest, b []byte) {
		if _, ok := c.Get(d, path); ok {
			return
		}
		r, err := Reader(ctx, path, bytes.NewReader(b), int64(len(b)), c.opts)
		if err == nil {
			r.Path = path
			c.Put(d, r)
		}
	}
}

// Get returns the report remembered for content d, under the name path.
func (c *Cache) Get(d core.Digest, path string) (*Report, bool) {
	if c == nil {
		return nil, false
	}
	b, ok := c.memo.Get(c.key(d, path))
	if !ok {
		return nil, false
	}
	c.mu.Lock()
	known := c.decoded[string(b)]
	c.mu.Unlock()
	if known != nil {
		r := known.clone()
		r.Path = path
		return r, true
	}
	var r Report
	if json.Unmarshal(b, &r) != nil || r.Verdict == "" {
		return nil, false
	}
	c.mu.Lock()
	if c.decoded == nil {
		c.decoded = map[string]*Report{}
	}
	if len(c.decoded) < maxDecoded {
		c.decoded[string(b)] = r.clone()
	}
	c.mu.Unlock()
	r.Path = path
	return &r, true
}

// clone copies r and everything it refers to.
func (r *Report) clone() *Report {
	c := *r
	if r.Summary != nil {
		s := *r.Summary
		c.Summary = &s
	}
	if r.Findings != nil {
		c.Findings = make([]Finding, len(r.Findings))
		for i, f := range r.Findings {
			f.Globals = slices.Clone(f.Globals)
			f.Calls = slices.Clone(f.Calls)
			c.Findings[i] = f
		}
	}
	return &c
}

// Put remembers r as the report of content d under the name r.Path.
func (c *Cache) Put(d core.Digest, r *Report) {
	if c == nil || r == nil || r.Format == "onnx" {
		return
	}
	saved := *r
	saved.Path = ""
	if b, err := json.Marshal(&saved); err == nil {
		c.memo.Put(c.key(d, r.Path), b)
	}
}

// key is where the report of content d under the name path is kept: the
// name counts by its extensions (".csv", ".csv.gz"; none for "README"),
// which are all a scan reads of it.
func (c *Cache) key(d core.Digest, path string) string {
	base := strings.ToLower(filepath.Base(filepath.FromSlash(path)))
	ext := ""
	if i := strings.IndexByte(strings.TrimLeft(base, "."), '.'); i >= 0 {
		ext = strings.TrimLeft(base, ".")[i:]
	}
	return c.prefix + string(d) + ext
}

// buildRevision returns the VCS revision the binary was built from, with
// "+dirty" when its tree was modified, or "" when it is unknown.
var buildRevision = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, dirty := "", ""
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	return rev + dirty
})

// Entries returns the reports of the files of a tree, in the order of
// entries (files only; other kinds are skipped): the report cache
// remembers for an entry's digest, else what scanOne says of it, which is
// then remembered. scanOne runs for several entries at once, one per
// core; the first error stops the scan. Each report carries its entry's
// path.
func Entries(ctx context.Context, entries []core.TreeEntry, cache *Cache, scanOne func(ctx context.Context, e core.TreeEntry) (*Report, error)) ([]*Report, error) {
	var files []core.TreeEntry
	for _, e := range entries {
		if e.Kind == core.KindFile {
			files = append(files, e)
		}
	}
	reports := make([]*Report, len(files))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, e := range files {
		if r, ok := cache.Get(e.Digest, e.Path); ok {
			reports[i] = r
			continue
		}
		g.Go(func() error {
			r, err := scanOne(ctx, e)
			if err != nil {
				return err
			}
			r.Path = e.Path
			cache.Put(e.Digest, r)
			reports[i] = r
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return reports, nil
}
