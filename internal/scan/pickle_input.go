package scan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxLine bounds the text argument of a protocol-0 opcode.
const maxLine = 64 << 10

// errLimit marks an error caused by a resource limit, not by bad input.
var errLimit = errors.New("limit reached")

// input reads pickle opcodes and their arguments from a stream, counting
// the offset and never holding more than a short prefix of long strings.
type input struct {
	r    *bufio.Reader
	off  int64
	size int64 // total bytes available, or -1 if unknown
	max  int64 // MaxString
}

func (in *input) byte() (byte, error) {
	c, err := in.r.ReadByte()
	if err != nil {
		return 0, noEOF(err)
	}
	in.off++
	return c, nil
}

// fixed reads an n-byte argument (n ≤ 8).
func (in *input) fixed(n int) ([]byte, error) {
	var buf [8]byte
	if _, err := io.ReadFull(in.r, buf[:n]); err != nil {
		return nil, noEOF(err)
	}
	in.off += int64(n)
	return buf[:n], nil
}

func (in *input) uint(n int) (uint64, error) {
	b, err := in.fixed(n)
	if err != nil {
		return 0, err
	}
	var full [8]byte
	copy(full[:], b)
	return binary.LittleEndian.Uint64(full[:]), nil
}

// line reads a newline-terminated argument without the newline.
func (in *input) line() (string, error) {
	var out []byte
	for {
		chunk, err := in.r.ReadSlice('\n')
		out = append(out, chunk...)
		in.off += int64(len(chunk))
		if err == nil {
			return string(bytes.TrimSuffix(out[:len(out)-1], []byte{'\r'})), nil
		}
		if err != bufio.ErrBufferFull {
			return "", noEOF(err)
		}
		if len(out) > maxLine {
			return "", fmt.Errorf("text argument longer than %d bytes", maxLine)
		}
	}
}

// text reads an n-byte string argument, keeping at most maxKeep bytes.
func (in *input) text(n uint64) (string, int64, error) {
	if n > uint64(in.max) {
		return "", 0, fmt.Errorf("string of %d bytes exceeds the %d-byte limit (Limits.MaxString): %w", n, in.max, errLimit)
	}
	if in.size >= 0 && int64(n) > in.size-in.off {
		return "", 0, fmt.Errorf("string of %d bytes overruns the %d bytes left", n, in.size-in.off)
	}
	keep := min(n, maxKeep)
	buf := make([]byte, keep)
	if _, err := io.ReadFull(in.r, buf); err != nil {
		return "", 0, noEOF(err)
	}
	in.off += int64(keep)
	if rest := int64(n - keep); rest > 0 {
		d, err := in.r.Discard(int(min(rest, 1<<62)))
		in.off += int64(d)
		if err != nil {
			return "", 0, noEOF(err)
		}
	}
	return string(buf), int64(n), nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// skip discards n bytes that are not pickle data.
func (in *input) skip(n int64) error {
	if in.size >= 0 && n > in.size-in.off {
		return fmt.Errorf("%d bytes of array data overrun the %d bytes left", n, in.size-in.off)
	}
	for n > 0 {
		d, err := in.r.Discard(int(min(n, 1<<30)))
		in.off += int64(d)
		n -= int64(d)
		if err != nil {
			return noEOF(err)
		}
	}
	return nil
}
