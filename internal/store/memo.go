package store

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Limits of a memo file, which is only a cache: a file larger than
// maxMemoFile is not read (the next save starts it afresh), and a line
// longer than maxMemoLine is skipped.
const (
	maxMemoFile = 64 << 20
	maxMemoLine = 1 << 20
)

// Memo is a small persistent map from string keys to byte values, kept in
// a file of the store's cache folder, for results that are pure functions
// of content (such as the scanner's verdict on an object). Several
// processes may share one: Save appends this process's new entries in
// one write. It is only a cache: a lost or damaged file costs the work
// again, never a wrong answer, as long as keys name everything a value
// depends on. A Memo is safe for concurrent use; a nil *Memo remembers
// nothing.
type Memo struct {
	path  string
	once  sync.Once
	mu    sync.Mutex
	m     map[string][]byte
	added []string // keys to save, in order
	reset bool     // the file was too large: replace it on save
}

// Memo returns the memo called name ([a-z0-9-]+), or nil for a store
// without local files (whose caches live elsewhere).
func (s *Store) Memo(name string) *Memo {
	if s.files == nil {
		return nil
	}
	return &Memo{path: filepath.Join(s.files.StoreCacheDir(), "memo-"+name), m: map[string][]byte{}}
}

// load reads the memo file on first use.
func (m *Memo) load() {
	m.once.Do(func() {
		f, err := os.Open(m.path)
		if err != nil {
			return
		}
		defer f.Close()
		if fi, err := f.Stat(); err != nil || fi.Size() > maxMemoFile {
			m.reset = true
			return
		}
		r := bufio.NewReaderSize(f, 64<<10)
		for {
			line, err := readMemoLine(r)
			if k, v, ok := decodeMemoLine(line); ok {
				m.m[k] = v
			}
			if err != nil {
				return
			}
		}
	})
}

// readMemoLine returns the next line of r without its newline; a line
// longer than maxMemoLine comes back empty.
func readMemoLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, err := r.ReadSlice('\n')
		if len(line)+len(part) <= maxMemoLine {
			line = append(line, part...)
		} else {
			line = line[:0:0] // too long: skipped, read on to its end
		}
		if err != bufio.ErrBufferFull {
			return bytes.TrimSuffix(line, []byte("\n")), err
		}
	}
}

// decodeMemoLine splits "key<TAB>base64(value)".
func decodeMemoLine(line []byte) (string, []byte, bool) {
	k, v, ok := bytes.Cut(line, []byte("\t"))
	if !ok || len(k) == 0 {
		return "", nil, false
	}
	val, err := base64.StdEncoding.DecodeString(string(v))
	if err != nil {
		return "", nil, false
	}
	return string(k), val, true
}

// Get returns the value remembered for key.
func (m *Memo) Get(key string) ([]byte, bool) {
	if m == nil {
		return nil, false
	}
	m.load()
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[key]
	return v, ok
}

// Put remembers value for key (which must hold no tab or newline) until
// Save writes it.
func (m *Memo) Put(key string, value []byte) {
	if m == nil || key == "" || bytes.ContainsAny([]byte(key), "\t\n") {
		return
	}
	m.load()
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.m[key]; ok && bytes.Equal(old, value) {
		return
	}
	m.added = append(m.added, key) // a later line wins when the file is read
	m.m[key] = value
}

// Save appends the entries Put since the last Save to the memo file in one
// write (replacing the file if it had grown past its limit). It is not
// fsynced: losing it costs only the work again.
func (m *Memo) Save() error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.added) == 0 {
		return nil
	}
	var b bytes.Buffer
	written := make(map[string]bool, len(m.added))
	for _, k := range m.added {
		if written[k] {
			continue // once, with its last value
		}
		written[k] = true
		b.WriteString(k)
		b.WriteByte('\t')
		b.WriteString(base64.StdEncoding.EncodeToString(m.m[k]))
		b.WriteByte('\n')
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if m.reset {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(m.path, flags, 0o644)
	if err != nil {
		return fmt.Errorf("save memo %s: %w", filepath.Base(m.path), err)
	}
	_, err = io.Copy(f, &b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("save memo %s: %w", filepath.Base(m.path), err)
	}
	m.added, m.reset = nil, false
	return nil
}
