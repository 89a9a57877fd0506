package store

import (
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
	d, ok := s.cache.lookup(k)
	if !ok {
		return "", false
	}
	if n, err := s.Size(d); err != nil || n != k.size {
		return "", false
	}
	return d, true
}

// cachedAt is cachedDigest for a file key, checking the object relative to
// objDir, an open descriptor of ROOT/objects/sha256.
func (s *Store) cachedAt(objDir int, k fileKey) (core.Digest, bool) {
	d, ok := s.cache.lookup(k)
	if !ok {
		return "", false
	}
	h := d.Hex()
	var st unix.Stat_t
	err := unix.Fstatat(objDir, h[:2]+"/"+h[2:], &st, unix.AT_SYMLINK_NOFOLLOW)
	if err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != k.size {
		return "", false
	}
	return d, true
}
