package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/blobio"
	"lockstep.dev/lockstep/internal/store/s3"
)

// remoteWorkers is how many objects move at once to or from a backend
// without local files: each transfer waits on the network more than on
// a CPU.
const remoteWorkers = 16

// remoteHashCache returns the hash cache of a store without local files,
// the file cacheDir/hashes: it maps files (by device, inode, size, mtime
// and ctime) to digests as a local store's does, so that an unchanged
// tree is not read again to be hashed.
func remoteHashCache(cacheDir string) (*hashCache, error) {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, err
	}
	return newHashCache(filepath.Join(cacheDir, "hashes"), cacheDir), nil
}

// putRemote stores the files of jobs in a backend without local files,
// remoteWorkers at a time, biggest first, reading each file where it is
// (putRemoteFile): no temp copy is written. results[i] belongs to jobs[i].
func (s *Store) putRemote(ctx context.Context, jobs []fileJob, opts TreeOptions) ([]ingested, error) {
	results := make([]ingested, len(jobs))
	order := largestFirst(jobs)
	err := forEachN(ctx, remoteWorkers, len(jobs), func(ctx context.Context, k int) error {
		i := order[k]
		in, err := s.putRemoteFile(ctx, jobs[i].path, true, opts.Progress, contentOf(opts, jobs[i].path))
		if err != nil {
			return fmt.Errorf("%s: %w", jobs[i].path, err)
		}
		results[i] = in
		return nil
	})
	return results, err
}

// putRemoteFile stores the regular file at path (a symlink is refused
// with noFollow, else followed) in a backend without local files. A file
// the hash cache knows is not read to be hashed, and the backend's Put
// does not read it either when the object is there already: an
// unchanged file that is stored costs one request. Any other file is
// read once to be hashed and again by the backend's PutNew (or Put),
// which checks the bytes against that digest as it sends them, so a file
// changed in between is refused rather than stored under the wrong
// digest.
func (s *Store) putRemoteFile(ctx context.Context, path string, noFollow bool, progress func(int64), whole func(core.Digest, []byte)) (ingested, error) {
	var in ingested
	flags := os.O_RDONLY
	if noFollow {
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return in, err
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return in, err
	}
	if !before.Mode().IsRegular() {
		return in, fmt.Errorf("%s is not a regular file", path)
	}
	in.hashedAt, in.n = time.Now(), before.Size()
	in.key, _ = keyOf(before)
	sum, _, known := s.cache.lookup(in.key)
	if known {
		in.d = core.DigestFromSum(sum[:])
	} else {
		in.d, in.n, err = hashCopyWhole(ctx, nil, f, func(n int64) {
			s.hashedBytes.add(n)
			if progress != nil {
				progress(n)
			}
		}, whole)
		if err != nil {
			return in, err
		}
		after, err := f.Stat()
		if err != nil {
			return in, err
		}
		if !sameVersion(before, after, in.n) {
			return in, changedError(path)
		}
	}
	put := s.blob.Put // asks first: an unchanged file already stored is not read
	if p, ok := s.blob.(newPutter); ok && !known {
		put = p.PutNew
	}
	err = put(ctx, in.d, io.NewSectionReader(f, 0, in.n))
	if errors.Is(err, blobio.ErrExists) {
		err = nil
	}
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return in, changedError(path)
		}
		return in, err
	}
	if !known {
		s.cache.remember(in.key, in.d, in.hashedAt)
	}
	return in, nil
}

// changedError says that a file changed while it was being stored.
func changedError(path string) error {
	return fmt.Errorf("%s changed while it was being read; try again once it is no longer being written", path)
}

// placeAll runs place for every index below n: in order with local files,
// remoteWorkers at a time otherwise, so that downloads overlap.
func (s *Store) placeAll(ctx context.Context, n int, place func(ctx context.Context, i int) error) error {
	if s.files != nil {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := place(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	return forEachN(ctx, remoteWorkers, n, place)
}

// newPutter is the optional capability of a blob backend without local
// files (store/s3) to store an object the caller expects to be new with
// one request fewer: a small one is sent without asking first whether it
// exists, and left as it is if it does (the error then wraps
// blobio.ErrExists).
type newPutter interface {
	PutNew(ctx context.Context, d core.Digest, r io.Reader) error
}

// fetcher is the optional capability of a blob without local files
// (store/s3) to write an object into a file by several ranged reads at
// once, checking the whole object against its digest.
type fetcher interface {
	FetchTo(ctx context.Context, d core.Digest, f *os.File) (int64, error)
}

// fetchCopy writes object d into the empty file f through the backend's
// FetchTo, when it has one and the read cache is not to keep the bytes
// (a writable copy) or holds them already; it reports false when the
// caller should read the object itself.
func (s *Store) fetchCopy(ctx context.Context, d core.Digest, f *os.File, cache bool) (bool, error) {
	b := s.blob
	if c, ok := b.(*readCache); ok {
		if cache || c.has(d) {
			return false, nil
		}
		b = c.Blob
	}
	fb, ok := b.(fetcher)
	if !ok {
		return false, nil
	}
	if _, err := fb.FetchTo(ctx, d, f); err != nil {
		return true, fmt.Errorf("copy object %s: %w", d, err)
	}
	return true, nil
}

// uploadAborter is the optional capability of a blob backend to abort
// the multipart uploads its writers abandoned (store/s3).
type uploadAborter interface {
	AbortUploads(ctx context.Context, olderThan time.Duration, dryRun bool) (int, error)
}

// AbortUploads aborts the uploads to the backend that were started more
// than olderThan ago and never completed (a writer killed mid-upload
// leaves its parts on an S3 service, invisible but stored), or with
// dryRun only counts them, and returns how many. A backend without such
// uploads (a local folder) has none. Only gc calls it, under the store's
// exclusive lock.
func (s *Store) AbortUploads(ctx context.Context, olderThan time.Duration, dryRun bool) (int, error) {
	b := s.blob
	if c, ok := b.(*readCache); ok {
		b = c.Blob
	}
	a, ok := b.(uploadAborter)
	if !ok {
		return 0, nil
	}
	return a.AbortUploads(ctx, olderThan, dryRun)
}

// The bucket backend has every optional capability of a backend without
// local files; the read cache passes PutNew on.
var (
	_ fetcher       = (*s3.Store)(nil)
	_ newPutter     = (*s3.Store)(nil)
	_ uploadAborter = (*s3.Store)(nil)
	_ newPutter     = (*readCache)(nil)
)
