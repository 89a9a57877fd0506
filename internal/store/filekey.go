package store

import (
	"encoding/hex"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"lockstep.dev/lockstep/internal/core"
)

// fileKey identifies one version of a file's content as the file system
// sees it.
type fileKey struct {
	dev, ino           uint64
	size, mtime, ctime int64
}

// keyOf returns the cache key of a regular file's metadata.
func keyOf(fi os.FileInfo) (fileKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.Mode().IsRegular() {
		return fileKey{}, false
	}
	return fileKey{
		dev: st.Dev, ino: st.Ino, size: st.Size,
		mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(),
	}, true
}

// keyOfStat returns the cache key of a regular file's stat(2) result.
func keyOfStat(st *unix.Stat_t) fileKey {
	return fileKey{
		dev: st.Dev, ino: st.Ino, size: st.Size,
		mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(),
	}
}

// cachedDigest returns the remembered digest of the file described by fi
// if the store still holds its object (with the right size).
func (s *Store) cachedDigest(fi os.FileInfo) (core.Digest, bool) {
	k, ok := keyOf(fi)
	if !ok {
		return "", false
	}
	sum, ok := s.cache.lookup(k)
	if !ok {
		return "", false
	}
	d := core.DigestFromSum(sum[:])
	if n, err := s.Size(d); err != nil || n != k.size {
		return "", false
	}
	return d, true
}

// cachedAt is cachedDigest for a file key, checking the object relative to
// objDir, an open descriptor of ROOT/objects/sha256.
func (s *Store) cachedAt(objDir int, k fileKey) (core.Digest, bool) {
	sum, ok := s.cache.lookup(k)
	if !ok {
		return "", false
	}
	// The object's path relative to objDir, "ab/cdef…", built without
	// the digest string: this runs once per file of a cached tree.
	var rel [2*len(sum) + 1]byte
	hex.Encode(rel[:2], sum[:1])
	rel[2] = '/'
	hex.Encode(rel[3:], sum[1:])
	var st unix.Stat_t
	err := unix.Fstatat(objDir, string(rel[:]), &st, unix.AT_SYMLINK_NOFOLLOW)
	if err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != k.size {
		return "", false
	}
	return core.DigestFromSum(sum[:]), true
}

// knownObjects returns the knownDigest of the hash cache, which checks
// each object against an open descriptor of ROOT/objects/sha256; call
// done when finished with it. The cache file starts loading at once, while
// the caller lists the first directories.
func (s *Store) knownObjects() (known knownDigest, done func(), err error) {
	dir, err := os.Open(s.objects)
	if err != nil {
		return nil, nil, err
	}
	go s.cache.load()
	fd := int(dir.Fd())
	return func(k fileKey) (core.Digest, bool) { return s.cachedAt(fd, k) }, func() { dir.Close() }, nil
}
