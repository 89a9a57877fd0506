// Package blobio holds what the store and every blob backend share: the
// errors a backend returns, a reader that checks bytes against their digest
// as they are read, and a directory sync. It imports only the standard
// library, so a backend (store/local, later store/s3) imports it instead of
// the store, and the store can list the backends in its registry without an
// import cycle.
package blobio

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
)

// ErrNotFound is wrapped by errors about an object a backend does not hold.
var ErrNotFound = errors.New("object not found")

// ErrExists is wrapped by errors of a backend's PutNew when the object
// was there already, so the bytes given were not the ones stored.
var ErrExists = errors.New("object exists")

// ErrCorrupt is wrapped by errors about an object whose bytes do not match
// its digest.
var ErrCorrupt = errors.New("object corrupt")

// VerifyReader returns a reader of r's bytes that hashes them with SHA-256
// as they are read. At EOF, instead of io.EOF, it returns an error naming
// digest ("sha256:<hex>") and wrapping ErrCorrupt when the bytes do not hash
// to it, so a truncated or altered object is never taken for whole. Close
// closes r if r is an io.Closer.
func VerifyReader(r io.Reader, digest string) io.ReadCloser {
	return &verifyingReader{r: r, digest: digest, h: sha256.New()}
}

// verifyingReader hashes what it reads and checks the sum at EOF.
type verifyingReader struct {
	r      io.Reader
	digest string
	h      hash.Hash
	done   error // sticky result once EOF was reached
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.done != nil {
		return 0, v.done
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := "sha256:" + hex.EncodeToString(v.h.Sum(nil)); got != v.digest {
			v.done = fmt.Errorf("object %s: bytes hash to %s: %w", v.digest, got, ErrCorrupt)
		} else {
			v.done = io.EOF
		}
		return n, v.done
	}
	return n, err
}

func (v *verifyingReader) Close() error {
	if c, ok := v.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
