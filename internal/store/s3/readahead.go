package s3

import (
	"io"
	"sync"
)

const (
	// readaheadMin is the size from which an object's body is read ahead.
	readaheadMin = 8 << 20
	// readaheadChunk and readaheadDepth: a body is read ahead in chunks
	// of 1 MiB, up to 4 of them, so the network keeps streaming while
	// the reader hashes and writes.
	readaheadChunk = 1 << 20
	readaheadDepth = 4
)

var chunkPool = sync.Pool{New: func() any { b := make([]byte, readaheadChunk); return &b }}

// chunk is a piece of a body read ahead, or the error that ended it.
type chunk struct {
	buf *[]byte
	n   int
	err error
}

// readahead reads r on a goroutine of its own, up to readaheadDepth
// chunks ahead of its reader.
type readahead struct {
	r       io.ReadCloser
	chunks  chan chunk
	stop    chan struct{}
	cur     chunk
	off     int
	err     error
	closeMu sync.Once
}

func newReadahead(r io.ReadCloser) *readahead {
	ra := &readahead{r: r, chunks: make(chan chunk, readaheadDepth), stop: make(chan struct{})}
	go ra.fill()
	return ra
}

func (ra *readahead) fill() {
	defer close(ra.chunks)
	for {
		bp := chunkPool.Get().(*[]byte)
		n, err := io.ReadFull(ra.r, *bp)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case ra.chunks <- chunk{bp, n, err}:
		case <-ra.stop:
			chunkPool.Put(bp)
			return
		}
		if err != nil {
			return
		}
	}
}

func (ra *readahead) Read(p []byte) (int, error) {
	for ra.cur.buf == nil || ra.off == ra.cur.n {
		if ra.cur.buf != nil {
			chunkPool.Put(ra.cur.buf)
			ra.cur.buf = nil
			if ra.cur.err != nil {
				ra.err = ra.cur.err
			}
		}
		if ra.err != nil {
			return 0, ra.err
		}
		c, ok := <-ra.chunks
		if !ok {
			return 0, io.ErrClosedPipe
		}
		ra.cur, ra.off = c, 0
	}
	n := copy(p, (*ra.cur.buf)[ra.off:ra.cur.n])
	ra.off += n
	return n, nil
}

// Close stops the reading goroutine and closes the body.
func (ra *readahead) Close() error {
	var err error
	ra.closeMu.Do(func() {
		close(ra.stop)
		err = ra.r.Close()
		for c := range ra.chunks {
			chunkPool.Put(c.buf)
		}
	})
	return err
}
