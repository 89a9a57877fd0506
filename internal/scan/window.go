package scan

import "io"

// windowSize is how many bytes one read of a zip's metadata fetches.
const windowSize = 64 << 10

// window serves small reads from one cached span of an io.ReaderAt, so
// walking the headers of thousands of small zip members costs a read per
// 64 KiB instead of several per member. Reads of a window or more go
// straight through. It is not safe for concurrent use.
type window struct {
	ra   io.ReaderAt
	size int64
	buf  []byte
	off  int64 // offset of buf[0] in ra
	n    int   // valid bytes in buf
}

func newWindow(ra io.ReaderAt, size int64) *window {
	return &window{ra: ra, size: size}
}

// ReadAt reads like ra.ReadAt: a short read past the end of the data comes
// with io.EOF, and a read error of ra is returned as it came.
func (w *window) ReadAt(p []byte, off int64) (int, error) {
	if len(p) >= windowSize || off < 0 || off >= w.size {
		return w.ra.ReadAt(p, off)
	}
	if off < w.off || off+int64(len(p)) > w.off+int64(w.n) {
		if w.buf == nil {
			w.buf = make([]byte, windowSize)
		}
		want := int(min(int64(windowSize), w.size-off))
		if n, _ := w.ra.ReadAt(w.buf[:want], off); n < want {
			// The data ended early or failed: answer as ra does.
			w.n = 0
			return w.ra.ReadAt(p, off)
		}
		w.off, w.n = off, want
	}
	n := copy(p, w.buf[off-w.off:w.off+int64(w.n)-w.off])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
