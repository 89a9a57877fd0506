package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"lockstep.dev/lockstep/internal/core"
)

// Has reports whether the store holds object d.
func (s *Store) Has(d core.Digest) bool {
	_, err := s.Size(d)
	return err == nil
}

// Size returns the length of object d; the error wraps ErrNotFound when
// the store does not hold it.
func (s *Store) Size(d core.Digest) (int64, error) {
	if !d.Valid() {
		return 0, fmt.Errorf("object %q: %w", d, core.ErrBadDigest)
	}
	return s.blob.Stat(context.Background(), d)
}

// Open returns a reader of object d's bytes that rehashes them as they are
// read: instead of io.EOF it returns an error wrapping ErrCorrupt when the
// bytes do not match d. Read to EOF before trusting the bytes.
func (s *Store) Open(d core.Digest) (io.ReadCloser, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("object %q: %w", d, core.ErrBadDigest)
	}
	return s.blob.Open(context.Background(), d)
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
