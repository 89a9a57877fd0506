package s3

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/blobio"
)

const (
	// fetchStreams is how many ranged GETs FetchTo runs at once for one
	// object (rclone's multi-thread download uses 4 too).
	fetchStreams = 4
	// fetchChunk is the size of the ranges FetchTo asks for.
	fetchChunk = 8 << 20
)

// FetchTo writes object d's bytes into the empty file f from offset 0
// and returns how many it wrote, after checking that they hash to d; on
// a mismatch the error names d and wraps blobio.ErrCorrupt, and f must
// not be used. The first range (fetchChunk) is streamed and hashed as it
// arrives; the rest of a larger object is fetched in ranges, fetchStreams
// GETs at once, each written at its offset, and hashed in order as it is
// read back from f, so what is checked is what f holds. No buffer larger
// than a copy buffer is held, so FetchTo never waits for one.
func (s *Store) FetchTo(ctx context.Context, d core.Digest, f *os.File) (int64, error) {
	k, err := s.key(d)
	if err != nil {
		return 0, err
	}
	out, err := s.client.GetObject(ctx, &s3api.GetObjectInput{Bucket: &s.bucket, Key: &k, Range: aws.String(span(0, fetchChunk))})
	if err != nil && httpStatus(err) == 416 {
		out, err = s.client.GetObject(ctx, &s3api.GetObjectInput{Bucket: &s.bucket, Key: &k})
	}
	if err != nil {
		return 0, s.explain("open", d, err)
	}
	h := sha256.New()
	n, err := copyBuffered(io.MultiWriter(f, h), &body{out.Body, s, d})
	out.Body.Close()
	if err != nil {
		return n, err
	}
	total, ok := sizeOf(aws.ToString(out.ContentRange))
	switch {
	case !ok: // the whole object (empty, or a service that ignores ranges)
		total = n
	case n != min(total, fetchChunk):
		return n, fmt.Errorf("read object %s: the store sent %d bytes of a range of %d", d, n, min(total, fetchChunk))
	}
	if total > n {
		if err := s.fetchRest(ctx, d, k, f, total, h); err != nil {
			return n, err
		}
	}
	if got := core.DigestFromSum(h.Sum(nil)); got != d {
		return total, fmt.Errorf("object %s: bytes hash to %s: %w", d, got, blobio.ErrCorrupt)
	}
	return total, nil
}

// fetchRest fetches the bytes of object d from fetchChunk to total into
// f, fetchStreams ranges at a time, and hashes them into h in order as
// each range is complete.
func (s *Store) fetchRest(ctx context.Context, d core.Digest, key string, f *os.File, total int64, h hash.Hash) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := int((total + fetchChunk - 1) / fetchChunk)
	done := make([]chan struct{}, chunks)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	next.Store(1) // chunk 0 is written already
	for range min(fetchStreams, chunks-1) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= chunks {
					return
				}
				off := int64(i) * fetchChunk
				if err := s.fetchRange(ctx, d, key, f, off, min(fetchChunk, total-off)); err != nil {
					fail(err)
					return
				}
				close(done[i])
			}
		})
	}
	// Hash in order what the fetchers wrote, while they fetch more.
	for i := 1; i < chunks; i++ {
		select {
		case <-done[i]:
		case <-ctx.Done():
			wg.Wait()
			if firstErr != nil {
				return firstErr
			}
			return ctx.Err()
		}
		off := int64(i) * fetchChunk
		n := min(fetchChunk, total-off)
		if _, err := copyBuffered(h, io.NewSectionReader(f, off, n)); err != nil {
			cancel()
			wg.Wait()
			return fmt.Errorf("read back object %s: %w", d, err)
		}
	}
	wg.Wait()
	return firstErr
}

// fetchRange writes the n bytes of object d from off into f at off.
func (s *Store) fetchRange(ctx context.Context, d core.Digest, key string, f *os.File, off, n int64) error {
	out, err := s.client.GetObject(ctx, &s3api.GetObjectInput{Bucket: &s.bucket, Key: &key, Range: aws.String(span(off, n))})
	if err != nil {
		return s.explain("open", d, err)
	}
	defer out.Body.Close()
	got, err := copyBuffered(io.NewOffsetWriter(f, off), io.LimitReader(&body{out.Body, s, d}, n))
	if err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("read object %s: the store sent %d bytes of a range of %d", d, got, n)
	}
	return nil
}

// copyBufs are the buffers of copyBuffered.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// copyBuffered is io.Copy through a pooled 256 KiB buffer.
func copyBuffered(w io.Writer, r io.Reader) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	n, err := io.CopyBuffer(onlyWriter{w}, onlyReader{r}, *bp)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, err
}

// onlyWriter and onlyReader hide ReadFrom and WriteTo, so that
// io.CopyBuffer uses the buffer it is given.
type (
	onlyWriter struct{ io.Writer }
	onlyReader struct{ io.Reader }
)
