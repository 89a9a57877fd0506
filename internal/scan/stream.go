package scan

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// decompress scans the content of a compressed stream (a joblib file, a
// .tar.gz, ...) as the same member.
func (s *scanner) decompress(member, name, format string, r io.Reader, depth int) {
	in := &countingReader{r: r}
	var (
		dr  io.Reader
		err error
	)
	switch format {
	case "gzip":
		var g *gzip.Reader
		if g, err = gzip.NewReader(in); err == nil {
			g.Multistream(true)
			dr = g
		}
	case "bz2":
		dr = bzip2.NewReader(in)
	case "xz":
		dr, err = xzConfig.NewReader(in)
	case "lzma":
		dr, err = lzmaConfig.NewReader(in)
	case "zlib":
		dr, err = zlib.NewReader(in)
	case "lz4":
		dr = lz4.NewReader(in)
	case "zstd":
		var z *zstd.Decoder
		if z, err = zstd.NewReader(in, zstdOptions...); err == nil {
			defer z.Close()
			dr = z
		}
	}
	if err != nil {
		s.fail(member, format, fmt.Errorf("open %s stream: %w", format, err))
		return
	}
	lr := &limitedReader{r: dr, in: in, lim: s.lim}
	before := len(s.rep.Findings)
	s.scanStream(member, name, lr, -1, depth)
	if lr.err != nil && !s.reported(before, lr.err) {
		s.fail(member, format, lr.err)
	}
}

// spilled copies a stream that needs random access (a zip inside a gzip,
// say) into an unlinked temporary file and scans that.
func (s *scanner) spilled(member, name string, r io.Reader, depth int) string {
	f, err := os.CreateTemp("", "lockstep-scan-*")
	if err != nil {
		s.fail(member, "unknown", fmt.Errorf("scratch file: %w", err))
		return "unknown"
	}
	os.Remove(f.Name())
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := io.Copy(bw, r)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		s.fail(member, "unknown", fmt.Errorf("copy member to scratch file: %w", err))
		return "unknown"
	}
	return s.scanAt(member, name, f, n, depth)
}

// countingReader counts the compressed bytes consumed.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ratioFloor is the output size below which the ratio limit does not apply.
const ratioFloor = 64 << 20

// limitedReader stops a decompressor that expands beyond
// Limits.MaxDecompressed or Limits.MaxRatio.
type limitedReader struct {
	r   io.Reader
	in  *countingReader
	lim Limits
	out int64
	err error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	l.out += int64(n)
	switch {
	case l.out > l.lim.MaxDecompressed:
		l.err = fmt.Errorf("decompresses beyond %d bytes (Limits.MaxDecompressed): %w", l.lim.MaxDecompressed, errLimit)
	case l.out > ratioFloor && l.out > l.lim.MaxRatio*max(l.in.n, 1):
		l.err = fmt.Errorf("decompresses more than %d times its size (Limits.MaxRatio): %w", l.lim.MaxRatio, errLimit)
	}
	if l.err != nil {
		return n, l.err
	}
	return n, err
}
