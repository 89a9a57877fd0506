package store

import (
	"context"
	"fmt"
	"io"
	"os"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/blobio"
)

// ReaderAtCloser is random access to an object's verified bytes.
type ReaderAtCloser interface {
	io.ReaderAt
	io.Closer
}

// OpenReaderAt returns random access to object d (for a scanner that
// seeks, such as a zip reader), after reading the whole object once to
// verify it: the error wraps ErrCorrupt when its bytes do not hash to d,
// and ErrNotFound when it is missing. With local files the verified file
// itself is returned, opened read-only, and a file the hash cache knows
// as d's (by device, inode, size, mtime and ctime, as the materialiser
// trusts it) is not read first; otherwise the verified bytes are staged
// in a temp file removed by Close.
func (s *Store) OpenReaderAt(ctx context.Context, d core.Digest) (ReaderAtCloser, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("object %q: %w", d, core.ErrBadDigest)
	}
	if s.files == nil {
		return s.stageVerified(ctx, d)
	}
	f, err := os.Open(s.files.ObjectFile(d))
	if err != nil {
		if _, statErr := s.blob.Stat(ctx, d); statErr != nil {
			return nil, statErr
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !s.knownObjectFile(fi, d) {
		_, _, err = hashCopy(ctx, nil, blobio.VerifyReader(io.NewSectionReader(f, 0, fi.Size()), string(d)), nil)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read object %s: %w", d, err)
	}
	return f, nil
}

// stageVerified copies object d through the blob's verifying reader into
// a temp file that its Close removes.
func (s *Store) stageVerified(ctx context.Context, d core.Digest) (ReaderAtCloser, error) {
	r, err := s.blob.Open(ctx, d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := os.CreateTemp(s.tmp, "read-*")
	if err != nil {
		return nil, err
	}
	if _, _, err := hashCopy(ctx, f, r, nil); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("read object %s: %w", d, err)
	}
	return &stagedFile{f}, nil
}

// stagedFile is a temp file removed when closed.
type stagedFile struct{ *os.File }

func (f *stagedFile) Close() error {
	err := f.File.Close()
	if rmErr := os.Remove(f.Name()); err == nil {
		err = rmErr
	}
	return err
}
