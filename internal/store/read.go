package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"

	"lockstep.dev/lockstep/internal/core"
)

// Has reports whether the store holds object d.
func (s *Store) Has(d core.Digest) bool {
	p := s.ObjectPath(d)
	if p == "" {
		return false
	}
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular()
}

// Size returns the length of object d; the error wraps ErrNotFound when
// the store does not hold it.
func (s *Store) Size(d core.Digest) (int64, error) {
	p, err := s.objectPath(d)
	if err != nil {
		return 0, err
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return 0, objectErr("stat", d, err)
	}
	return fi.Size(), nil
}

// Open returns a reader of object d's bytes that rehashes them as they are
// read: instead of io.EOF it returns an error wrapping ErrCorrupt when the
// bytes do not match d. Read to EOF before trusting the bytes.
func (s *Store) Open(d core.Digest) (io.ReadCloser, error) {
	p, err := s.objectPath(d)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, objectErr("open", d, err)
	}
	return &verifyingReader{f: f, d: d, h: core.NewHash()}, nil
}

// ReadBytes returns the verified bytes of object d, which should be small
// (a record or a manifest): it is read whole into memory.
func (s *Store) ReadBytes(d core.Digest) ([]byte, error) {
	r, err := s.Open(d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read object %s: %w", d, err)
	}
	return b, nil
}

// GetJSON decodes the verified JSON object d into v.
func (s *Store) GetJSON(d core.Digest, v any) error {
	b, err := s.ReadBytes(d)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode object %s: %w", d, err)
	}
	return nil
}

// Verify rereads object d and checks its bytes against d. The error wraps
// ErrCorrupt on a mismatch and ErrNotFound when the object is missing.
func (s *Store) Verify(d core.Digest) error {
	r, err := s.Open(d)
	if err != nil {
		return err
	}
	defer r.Close()
	if _, _, err := hashCopy(context.Background(), nil, r, nil); err != nil {
		return fmt.Errorf("verify object %s: %w", d, err)
	}
	return nil
}

// objectErr wraps err from operation op on object d, adding ErrNotFound
// when the object does not exist.
func objectErr(op string, d core.Digest, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s object %s: %w", op, d, ErrNotFound)
	}
	return fmt.Errorf("%s object %s: %w", op, d, err)
}

// verifyingReader hashes what it reads and checks the sum at EOF.
type verifyingReader struct {
	f    *os.File
	d    core.Digest
	h    hash.Hash
	done error // sticky result once EOF was reached
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.done != nil {
		return 0, v.done
	}
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := core.DigestFromSum(v.h.Sum(nil)); got != v.d {
			v.done = fmt.Errorf("object %s: bytes hash to %s: %w", v.d, got, ErrCorrupt)
		} else {
			v.done = io.EOF
		}
		return n, v.done
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.f.Close() }
