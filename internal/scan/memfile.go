package scan

import (
	"bufio"
	"fmt"
	"io"
	"sync"
)

// maxMemFile is the largest file a scan reads whole, in one read, before
// looking at it. When its head names no format (text, tables, unknown
// bytes), the search for a zip's end, the pickle walks and the JSON or CSV
// check take slices of those bytes instead of reading the file three or
// four times through buffers of their own. A larger file is read piece by
// piece; a binary one is mostly not read past its head and tail at all.
const maxMemFile = 256 << 10

// headPool and filePool keep the buffers that heads (headSize bytes) and
// whole small files (up to maxMemFile bytes) are read into, so that
// scanning thousands of small files allocates (and clears) nothing per
// file.
var headPool, filePool sync.Pool

// getBuf returns a pooled buffer of n bytes (n ≤ maxMemFile); putBuf gives
// it back once nothing refers to it.
func getBuf(n int) *[]byte {
	pool, size := &headPool, headSize
	if n > headSize {
		pool, size = &filePool, maxMemFile
	}
	bp, _ := pool.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, size)
		bp = &b
	}
	*bp = (*bp)[:n]
	return bp
}

func putBuf(bp *[]byte) {
	if cap(*bp) > headSize {
		filePool.Put(bp)
	} else {
		headPool.Put(bp)
	}
}

// memFile is a file of the scan read whole into memory. It answers reads
// as recordingReaderAt does (a read outside the file is the content's
// fault and wraps io.EOF; an interrupted scan reads nothing more), and the
// walkers that know it take its bytes without copying them.
type memFile struct {
	data []byte
	s    *scanner
}

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	if err := m.s.ctx.Err(); err != nil {
		return 0, err
	}
	if off < 0 || off >= int64(len(m.data)) {
		return 0, fmt.Errorf("read at offset %d outside the %d-byte file: %w", off, len(m.data), io.EOF)
	}
	n := copy(p, m.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readWhole reads all of the scanned file into p (as long as the file) and
// returns it in memory, or nil when the read falls short or the scan is
// interrupted. A failed read is not recorded as the file's read error: the
// scan then reads the file piece by piece as before and meets (or not) the
// same error where it always did.
func (r *recordingReaderAt) readWhole(p []byte) *memFile {
	if r.s.ctx.Err() != nil {
		return nil
	}
	if n, _ := r.r.ReadAt(p, 0); n < len(p) {
		return nil
	}
	return &memFile{data: p, s: r.s}
}

// walkChunk is how many bytes a chunkReader hands out per read.
const walkChunk = 4 << 10

// chunkReader reads data a few KiB at a time, so that a bufio.Reader over
// it copies little more than a walk that stops early looks at. A
// bufio.Reader's answers do not depend on how much each read returns.
type chunkReader struct{ data []byte }

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), walkChunk)], c.data)
	c.data = c.data[n:]
	return n, nil
}

// readerPool keeps the 64 KiB bufio.Readers the full pickle walk reads
// through. A walk's answers are the same through any buffer of at least
// 64 KiB or of at least the data's size, which sectionReader's are.
var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// pooledReader returns a pooled reader of r; release it with
// readerPool.Put after r.Reset(nil).
func pooledReader(r io.Reader) *bufio.Reader {
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}
