package scan

import (
	"io"
	"sync"
)

// windowSize is how many bytes one read of a zip's metadata fetches: an
// aligned chunk of the file.
const windowSize = 16 << 10

// maxWindows bounds the chunks a window keeps (4 MiB).
const maxWindows = 256

// window serves small reads from cached aligned chunks of an io.ReaderAt,
// so walking the headers of thousands of small zip members costs a read per
// 16 KiB instead of several per member, and the several passes over them
// (central directory offsets, local headers, storage heads) read each chunk
// once. Reads of a chunk or more go straight through. It is not safe for
// concurrent use.
type window struct {
	ra     io.ReaderAt
	size   int64
	chunks map[int64][]byte // by chunk index
	free   [][]byte         // chunks dropped to stay within maxWindows
	last   int64            // index of lastC, the chunk read last
	lastC  []byte
}

func newWindow(ra io.ReaderAt, size int64) *window {
	return &window{ra: ra, size: size, chunks: map[int64][]byte{}, last: -1}
}

// ReadAt reads like ra.ReadAt: a short read past the end of the data comes
// with io.EOF, and a read error of ra is returned as it came.
func (w *window) ReadAt(p []byte, off int64) (int, error) {
	if len(p) >= windowSize || off < 0 || off >= w.size {
		return w.ra.ReadAt(p, off)
	}
	n := 0
	for n < len(p) && off+int64(n) < w.size {
		at := off + int64(n)
		c := w.chunk(at / windowSize)
		if c == nil {
			// The data ended early or failed: answer as ra does.
			return w.ra.ReadAt(p, off)
		}
		n += copy(p[n:], c[at%windowSize:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// chunk returns chunk i, reading it if it is not kept, or nil if it cannot
// be read in full.
func (w *window) chunk(i int64) []byte {
	if i == w.last {
		return w.lastC
	}
	if c, ok := w.chunks[i]; ok {
		w.last, w.lastC = i, c
		return c
	}
	if len(w.chunks) >= maxWindows {
		for k, c := range w.chunks {
			w.free = append(w.free, c[:cap(c)])
			delete(w.chunks, k)
		}
		w.last, w.lastC = -1, nil
	}
	var c []byte
	if n := len(w.free); n > 0 {
		c, w.free = w.free[n-1], w.free[:n-1]
	} else if p, ok := chunkPool.Get().(*[windowSize]byte); ok {
		c = p[:]
	} else {
		c = make([]byte, windowSize)
	}
	c = c[:min(int64(windowSize), w.size-i*windowSize)]
	if n, _ := w.ra.ReadAt(c, i*windowSize); n < len(c) {
		w.free = append(w.free, c[:cap(c)])
		return nil
	}
	w.chunks[i] = c
	w.last, w.lastC = i, c
	return c
}

// chunkPool keeps the chunks of released windows for the next zip.
var chunkPool sync.Pool

// release hands the window's chunks to the next window; w must not be
// used afterwards.
func (w *window) release() {
	for _, c := range w.chunks {
		w.free = append(w.free, c[:cap(c)])
	}
	for _, c := range w.free {
		chunkPool.Put((*[windowSize]byte)(c))
	}
	w.chunks, w.free, w.lastC = nil, nil, nil
}
