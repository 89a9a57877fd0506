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
	sum, verified, ok := s.cache.lookup(k)
	if !ok {
		return "", false
	}
	d := core.DigestFromSum(sum[:])
	if !verified {
		if n, err := s.Size(d); err != nil || n != k.size {
			return "", false
		}
		s.cache.verify(k)
	}
	return d, true
}

// knownObjects returns the knownDigest of the hash cache, or nil for a
// store without local files (and so without a hash cache); call done
// when finished with it. An entry the cache vouches for (see hashCache)
// costs no system call; any other is checked through the local files'
// fast lookup: the store must still hold the object, with the file's
// size. The cache file starts loading at once, while the caller lists the
// first directories.
func (s *Store) knownObjects() (known knownDigest, done func(), err error) {
	if s.files == nil {
		return nil, func() {}, nil // no hash cache: every file is hashed
	}
	size, done, err := s.files.ObjectSizes()
	if err != nil {
		return nil, nil, err
	}
	go s.cache.load()
	return func(k fileKey) (core.Digest, bool) {
		sum, verified, ok := s.cache.lookup(k)
		if !ok {
			return "", false
		}
		if !verified {
			s.cache.objectChecks.add(1)
			if n, ok := size(&sum); !ok || n != k.size {
				return "", false
			}
			s.cache.verify(k)
		}
		return core.DigestFromSum(sum[:]), true
	}, done, nil
}

// rememberObjectFile remembers the key of the file of object d, which
// this process has just written and renamed into place (see
// hashCache.rememberObject); a failed stat remembers nothing.
func (s *Store) rememberObjectFile(d core.Digest) {
	fi, err := os.Lstat(s.files.ObjectFile(d))
	if err != nil {
		return
	}
	if k, ok := keyOf(fi); ok {
		s.cache.rememberObject(k, d)
	}
}
