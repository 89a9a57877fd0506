package s3

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"

	"lockstep.dev/lockstep/internal/core"
)

// rangedDepth is how many parts of an object a reader fetches ahead, each
// with a ranged GET of its own, while it reads the one before.
const rangedDepth = 2

// get returns object d's bytes: the first part from a ranged GET, whose
// Content-Range tells the object's size; the rest, for an object larger
// than a part, from parallel ranged GETs read ahead in order (a ranged
// reader). An empty object, which no range fits, is read whole.
func (s *Store) get(ctx context.Context, d core.Digest, key string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3api.GetObjectInput{Bucket: &s.bucket, Key: &key, Range: aws.String(span(0, partSize))})
	if err != nil && httpStatus(err) == 416 {
		out, err = s.client.GetObject(ctx, &s3api.GetObjectInput{Bucket: &s.bucket, Key: &key})
	}
	if err != nil {
		return nil, s.explain("open", d, err)
	}
	first := &body{out.Body, s, d}
	total, ok := sizeOf(aws.ToString(out.ContentRange))
	if !ok || total <= partSize {
		return first, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &ranged{ctx: ctx, cancel: cancel, s: s, d: d, key: key, stream: first, next: partSize, total: total}
	r.schedule()
	return r, nil
}

// span is the HTTP range of n bytes from off.
func span(off, n int64) string { return fmt.Sprintf("bytes=%d-%d", off, off+n-1) }

// sizeOf reads the object size from a Content-Range, "bytes 0-99/1234".
func sizeOf(contentRange string) (int64, bool) {
	_, total, ok := strings.Cut(contentRange, "/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(total, 10, 64)
	return n, err == nil
}

// ranged reads an object part by part: from a stream (the first part's
// body, or, when no buffer was free, one GET of all the rest), then from
// parts fetched ahead into buffers of downloadBuffers. It never waits for
// a buffer, so readers and writers cannot hold each other's up.
type ranged struct {
	ctx    context.Context
	cancel context.CancelFunc
	s      *Store
	d      core.Digest
	key    string

	stream io.ReadCloser // read before the queue; nil when done
	next   int64         // offset of the first byte not yet asked for
	total  int64
	queue  []*fetch // parts asked for, in order
	off    int      // read offset in queue[0]
}

// fetch is one part being fetched into buf.
type fetch struct {
	done chan struct{}
	buf  []byte
	n    int
	err  error
}

// schedule asks for more parts while buffers are free, up to rangedDepth.
func (r *ranged) schedule() {
	for r.next < r.total && len(r.queue) < rangedDepth {
		buf, _ := downloadBuffers.get(r.ctx, false)
		if buf == nil {
			return
		}
		n := min(partSize, r.total-r.next)
		f := &fetch{done: make(chan struct{}), buf: buf[:n]}
		go r.fetch(f, r.next)
		r.next += n
		r.queue = append(r.queue, f)
	}
}

// fetch reads len(f.buf) bytes from off into f.buf.
func (r *ranged) fetch(f *fetch, off int64) {
	defer close(f.done)
	out, err := r.s.client.GetObject(r.ctx, &s3api.GetObjectInput{Bucket: &r.s.bucket, Key: &r.key, Range: aws.String(span(off, int64(len(f.buf))))})
	if err != nil {
		f.err = r.s.explain("open", r.d, err)
		return
	}
	defer out.Body.Close()
	f.n, f.err = io.ReadFull(&body{out.Body, r.s, r.d}, f.buf)
	if f.err == io.ErrUnexpectedEOF {
		f.err = fmt.Errorf("read object %s: the store sent %d bytes of a part of %d", r.d, f.n, len(f.buf))
	}
}

func (r *ranged) Read(p []byte) (int, error) {
	for {
		if r.stream != nil {
			n, err := r.stream.Read(p)
			if err == io.EOF {
				r.stream.Close()
				r.stream = nil
				if n > 0 {
					return n, nil
				}
				continue
			}
			return n, err
		}
		if len(r.queue) == 0 {
			if r.next >= r.total {
				return 0, io.EOF
			}
			if err := r.streamRest(); err != nil {
				return 0, err
			}
			continue
		}
		f := r.queue[0]
		<-f.done
		if f.err != nil {
			return 0, f.err
		}
		if r.off < f.n {
			n := copy(p, f.buf[r.off:f.n])
			r.off += n
			return n, nil
		}
		downloadBuffers.put(f.buf)
		r.queue, r.off = r.queue[1:], 0
		r.schedule()
	}
}

// streamRest asks for everything not yet asked for in one GET, for when
// no buffer is free to fetch parts ahead.
func (r *ranged) streamRest() error {
	out, err := r.s.client.GetObject(r.ctx, &s3api.GetObjectInput{Bucket: &r.s.bucket, Key: &r.key, Range: aws.String(span(r.next, r.total-r.next))})
	if err != nil {
		return r.s.explain("open", r.d, err)
	}
	r.stream, r.next = &body{out.Body, r.s, r.d}, r.total
	return nil
}

// Close stops the fetches and returns their buffers.
func (r *ranged) Close() error {
	r.cancel()
	var err error
	if r.stream != nil {
		err = r.stream.Close()
	}
	for _, f := range r.queue {
		<-f.done
		downloadBuffers.put(f.buf)
	}
	r.queue = nil
	return err
}
