package s3_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/store/blobio"
	"lockstep.dev/lockstep/internal/store/s3/s3test"
)

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// PutNew stores new objects as Put does and refuses bytes that do not
// match; an existing object is left as it is, said so with ErrExists, and
// of a large one no more than the first part is read.
func TestPutNew(t *testing.T) {
	srv := s3test.Start(t)
	b := open(t, srv)
	small := []byte("a small object, new\n")
	large := make([]byte, 12<<20)
	rand.Read(large)
	for _, data := range [][]byte{small, large} {
		d := core.DigestOf(data)
		if err := b.PutNew(ctx, d, bytes.NewReader(data)); err != nil {
			t.Fatalf("PutNew of %d new bytes: %v", len(data), err)
		}
		if got, err := read(b, d); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes, %v; want %d", len(got), err, len(data))
		}
		again := &countingReader{r: bytes.NewReader(data)}
		if err := b.PutNew(ctx, d, again); !errors.Is(err, blobio.ErrExists) {
			t.Fatalf("PutNew of an existing object of %d bytes: %v, want ErrExists", len(data), err)
		}
		if again.n > 5<<20 {
			t.Errorf("PutNew of an existing object read %d bytes, more than one part", again.n)
		}
	}
	d := core.DigestOf([]byte("what was meant"))
	if err := b.PutNew(ctx, d, strings.NewReader("what came")); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("PutNew of bytes that do not match: %v, want ErrCorrupt", err)
	}
	if _, err := b.Stat(ctx, d); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after a refused PutNew, Stat: %v, want ErrNotFound", err)
	}
}

// read returns the verified bytes of object d.
func read(b bucket, d core.Digest) ([]byte, error) {
	r, err := b.Open(ctx, d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
