package local

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"lockstep.dev/lockstep/internal/core"
)

// StrayFilesError is returned by List when the objects folder holds files
// whose names are not object names. Every object was still listed.
type StrayFilesError struct {
	// Paths are the stray files, relative to the store's folder.
	Paths []string
}

// Error says how many stray files there are and names the first.
func (e *StrayFilesError) Error() string {
	return fmt.Sprintf("%d stray files in the objects folder (first: %s); they are not objects and can be removed",
		len(e.Paths), e.Paths[0])
}

// List calls fn with the digest and size of every object whose digest
// starts with prefix ("" for all, "sha256:ab" for one shard), in digest
// order. An error from fn stops the listing and is returned. Files that are
// not valid object names are skipped and reported at the end as a
// *StrayFilesError. Objects added or removed meanwhile may or may not be
// seen.
func (l *Local) List(ctx context.Context, prefix string, fn func(d core.Digest, size int64) error) error {
	hexPrefix, ok := strings.CutPrefix(prefix, core.DigestPrefix)
	if !ok {
		if !strings.HasPrefix(core.DigestPrefix, prefix) {
			return nil // another algorithm: this store holds none
		}
		hexPrefix = ""
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	shards, err := os.ReadDir(l.objects)
	if err != nil {
		return fmt.Errorf("list objects: %w", err)
	}
	var strays []string
	stray := func(parts ...string) {
		strays = append(strays, filepath.Join(append([]string{"objects", "sha256"}, parts...)...))
	}
	for _, shard := range shards {
		name := shard.Name()
		if !shard.IsDir() || !isHex(name, 2) {
			stray(name)
			continue
		}
		if !strings.HasPrefix(name, hexPrefix[:min(2, len(hexPrefix))]) {
			continue
		}
		files, err := os.ReadDir(filepath.Join(l.objects, name))
		if err != nil {
			return fmt.Errorf("list objects: %w", err)
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !f.Type().IsRegular() || !isHex(f.Name(), 62) {
				stray(name, f.Name())
				continue
			}
			if !strings.HasPrefix(name+f.Name(), hexPrefix) {
				continue
			}
			info, err := f.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since ReadDir
			}
			if err != nil {
				return fmt.Errorf("list objects: %w", err)
			}
			if err := fn(core.Digest(core.DigestPrefix+name+f.Name()), info.Size()); err != nil {
				return err
			}
		}
	}
	if len(strays) > 0 {
		return &StrayFilesError{Paths: strays}
	}
	return nil
}

// ObjectSizes returns a function that looks up the size of the object
// with a raw SHA-256 sum, relative to an open descriptor of the objects
// folder (sparing the kernel a walk of the whole path, and the caller the
// digest string: the store asks once per file of a cached tree). Call done
// when finished with it.
func (l *Local) ObjectSizes() (size func(sum *[32]byte) (int64, bool), done func(), err error) {
	dir, err := os.Open(l.objects)
	if err != nil {
		return nil, nil, err
	}
	fd := int(dir.Fd())
	size = func(sum *[32]byte) (int64, bool) {
		var rel [2*len(sum) + 1]byte // "ab/cdef…"
		hex.Encode(rel[:2], sum[:1])
		rel[2] = '/'
		hex.Encode(rel[3:], sum[1:])
		var st unix.Stat_t
		err := unix.Fstatat(fd, string(rel[:]), &st, unix.AT_SYMLINK_NOFOLLOW)
		if err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			return 0, false
		}
		return st.Size, true
	}
	return size, func() { dir.Close() }, nil
}
