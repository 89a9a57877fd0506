package capture

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// inodeStamp identifies one version of a file or directory without
// reading it: a rewrite changes its size, modification time or change
// time (which no user can set back), a replacement its inode.
type inodeStamp struct {
	Size, Mtime, Ctime int64
	Ino, Dev           uint64
	Mode               uint32
}

// statStamp stats path, following symbolic links; ok is false when it
// cannot be stat'ed.
func statStamp(path string) (inodeStamp, bool) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return inodeStamp{}, false
	}
	return stampOfStat(&st), true
}

func stampOfStat(st *unix.Stat_t) inodeStamp {
	return inodeStamp{
		Size: st.Size, Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(),
		Ino: st.Ino, Dev: uint64(st.Dev), Mode: st.Mode, //nolint:unconvert // uint32 on some platforms
	}
}

// regular reports whether the stamp is of a regular file.
func (s inodeStamp) regular() bool { return s.Mode&unix.S_IFMT == unix.S_IFREG }

// verifyCacheVersion changes when the cache file's meaning changes.
const verifyCacheVersion = 2

// verifyState is one environment's verification, kept in the home's cache
// folder: the result and every path it depends on with its stamp, and
// the digest of each file hashed. The result holds while every stamp
// does; when one changed, only files whose stamp changed are read again.
type verifyState struct {
	Version int
	Paths   []string
	Stamps  []inodeStamp
	Sums    []string // "algorithm:hex" of Paths[i], "" for what is not hashed
	Result  installedResult
}

// installedResult is what a verification found.
type installedResult struct {
	Check    FileCheck
	Requires map[string][]string
	Archives map[string]string
}

// verifyMemo keeps the last state per cache key in memory, so that a
// second capture in the same process does not decode the file again.
var verifyMemo = struct {
	sync.Mutex
	m map[string]*verifyState
}{m: map[string]*verifyState{}}

// loadVerifyState returns the remembered state for key, from memory or
// from dir; nil when there is none (or it cannot be read: it is rebuilt).
func loadVerifyState(dir, key string) *verifyState {
	verifyMemo.Lock()
	s := verifyMemo.m[key]
	verifyMemo.Unlock()
	if s != nil || dir == "" {
		return s
	}
	f, err := os.Open(verifyStatePath(dir, key))
	if err != nil {
		return nil
	}
	defer f.Close()
	s = &verifyState{}
	// Decoded as it is read: gob copies its message out anyway, and a
	// copy of the whole file first cost a fresh process page faults for
	// every byte.
	if gob.NewDecoder(bufio.NewReaderSize(f, 256<<10)).Decode(s) != nil || s.Version != verifyCacheVersion ||
		len(s.Stamps) != len(s.Paths) || len(s.Sums) != len(s.Paths) {
		return nil
	}
	return s
}

// saveVerifyState remembers s for key in memory and, when dir is set, in a
// file there (written whole, then renamed into place). A failure to write
// the cache costs only time later, so it is not an error.
func saveVerifyState(dir, key string, s *verifyState) {
	verifyMemo.Lock()
	verifyMemo.m[key] = s
	verifyMemo.Unlock()
	if dir == "" {
		return
	}
	s.sortByPath()
	path := verifyStatePath(dir, key)
	if os.MkdirAll(filepath.Dir(path), 0o755) != nil {
		return
	}
	var b bytes.Buffer
	if gob.NewEncoder(&b).Encode(s) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".state-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(b.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}

func verifyStatePath(dir, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, "installed", hex.EncodeToString(sum[:16])+".gob")
}

// sortByPath orders the paths, so that those of one directory are stat'ed
// together.
func (s *verifyState) sortByPath() {
	idx := make([]int, len(s.Paths))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return s.Paths[idx[a]] < s.Paths[idx[b]] })
	paths, stamps, sums := make([]string, len(idx)), make([]inodeStamp, len(idx)), make([]string, len(idx))
	for i, j := range idx {
		paths[i], stamps[i], sums[i] = s.Paths[j], s.Stamps[j], s.Sums[j]
	}
	s.Paths, s.Stamps, s.Sums = paths, stamps, sums
}

// unchanged reports whether every path of s still has its stamp,
// stat'ing them in parallel.
func (s *verifyState) unchanged() bool {
	stamps := statAll(s.Paths)
	for i := range stamps {
		if stamps[i] != s.Stamps[i] {
			return false
		}
	}
	return true
}

// statAll stats paths in parallel; a path that cannot be stat'ed gets the
// zero stamp.
func statAll(paths []string) []inodeStamp {
	out := make([]inodeStamp, len(paths))
	parallel(len(paths), 4*runtime.GOMAXPROCS(0), func(i int) {
		out[i], _ = statStamp(paths[i])
	})
	return out
}

// parallel calls fn(0..n-1) from at most workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	if workers > n {
		workers = n
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// newHash returns the hash an "algorithm:hex" sum names.
func newHash(algo string) (hash.Hash, error) {
	switch algo {
	case "sha256":
		return sha256.New(), nil
	case "sha224":
		return sha256.New224(), nil
	case "sha1":
		return sha1.New(), nil
	case "sha384":
		return sha512.New384(), nil
	case "sha512":
		return sha512.New(), nil
	case "md5":
		return md5.New(), nil
	}
	return nil, fmt.Errorf("unknown hash algorithm %q", algo)
}

// hashBuffers are the read buffers of hashFile.
var hashBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// hashFile returns "algorithm:hex" of the regular file path, reading at
// most the size its stamp says (plus one byte, so growth shows): a file
// that keeps growing cannot hold the capture.
func hashFile(path, algo string, st inodeStamp) (string, error) {
	h, err := newHash(algo)
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := hashBuffers.Get().(*[]byte)
	defer hashBuffers.Put(buf)
	if _, err := io.CopyBuffer(h, io.LimitReader(f, st.Size+1), *buf); err != nil {
		return "", err
	}
	return algo + ":" + hex.EncodeToString(h.Sum(nil)), nil
}

// algorithmOf returns the algorithm of an "algorithm:hex" sum.
func algorithmOf(sum string) string {
	algo, _, _ := strings.Cut(sum, ":")
	return algo
}
