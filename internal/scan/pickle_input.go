package scan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxLine bounds the text argument of a protocol-0 opcode.
const maxLine = 64 << 10

// errLimit marks an error caused by a resource limit, not by bad input.
var errLimit = errors.New("limit reached")

// input reads pickle opcodes and their arguments from a stream, counting
// the offset and never holding more than a short prefix of long strings.
type input struct {
	buf  [8]byte
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
	if _, err := io.ReadFull(in.r, in.buf[:n]); err != nil {
		return nil, noEOF(err)
	}
	in.off += int64(n)
	return in.buf[:n], nil
}

// uint reads an n-byte little-endian argument (n is 1, 2, 4 or 8).
func (in *input) uint(n int) (uint64, error) {
	b, err := in.r.Peek(n)
	if err != nil {
		return 0, noEOF(err)
	}
	var u uint64
	switch n {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(binary.LittleEndian.Uint16(b))
	case 4:
		u = uint64(binary.LittleEndian.Uint32(b))
	default:
		u = binary.LittleEndian.Uint64(b)
	}
	in.r.Discard(n)
	in.off += int64(n)
	return u, nil
}

// line reads a newline-terminated argument without the newline.
func (in *input) line() (string, error) {
	chunk, err := in.r.ReadSlice('\n')
	in.off += int64(len(chunk))
	if err == nil {
		return string(bytes.TrimSuffix(chunk[:len(chunk)-1], []byte{'\r'})), nil
	}
	if err != bufio.ErrBufferFull {
		return "", noEOF(err)
	}
	out := append([]byte(nil), chunk...)
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
	// A length past the end of the data is malformed input, not a limit:
	// random bytes often decode as one, and a loader would fail on it too.
	if in.size >= 0 && n > uint64(in.size-in.off) {
		return "", 0, fmt.Errorf("string of %d bytes overruns the %d bytes left", n, in.size-in.off)
	}
	if n > uint64(in.max) {
		return "", 0, fmt.Errorf("string of %d bytes exceeds the %d-byte limit (Limits.MaxString): %w", n, in.max, errLimit)
	}
	keep := min(n, maxKeep)
	s, err := in.prefix(int(keep))
	if err != nil {
		return "", 0, err
	}
	if rest := int64(n - keep); rest > 0 {
		d, err := in.r.Discard(int(min(rest, 1<<62)))
		in.off += int64(d)
		if err != nil {
			return "", 0, noEOF(err)
		}
	}
	return s, int64(n), nil
}

// prefix reads n bytes (n ≤ maxKeep) as a string.
func (in *input) prefix(n int) (string, error) {
	var s string
	if b, err := in.r.Peek(n); err == nil {
		s = string(b)
		in.r.Discard(n)
	} else {
		buf := make([]byte, n)
		if _, err := io.ReadFull(in.r, buf); err != nil {
			return "", noEOF(err)
		}
		s = string(buf)
	}
	in.off += int64(n)
	return s, nil
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

// memoIndex reads the index argument of GET/PUT and their binary forms.
func (m *machine) memoIndex(op byte) (int64, error) {
	switch op {
	case 'g', 'p':
		s, err := m.in.line()
		if err != nil {
			return 0, err
		}
		return strconv.ParseInt(s, 10, 64)
	case 'h', 'q':
		u, err := m.in.uint(1)
		return int64(u), err
	}
	u, err := m.in.uint(4)
	return int64(u), err
}

// numberText turns the text argument of FLOAT, INT or LONG into a value.
func numberText(op byte, s string) *value {
	switch {
	case op == 'I' && s == "00":
		return &value{kind: kBool, s: "False"}
	case op == 'I' && s == "01":
		return &value{kind: kBool, s: "True"}
	case op == 'F':
		return &value{kind: kFloat, s: s}
	}
	return &value{kind: kInt, s: strings.TrimSuffix(s, "L")}
}

// unquote strips the quotes of a protocol-0 STRING argument and decodes the
// common escapes.
func unquote(s string) (string, error) {
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') || s[len(s)-1] != s[0] {
		return "", fmt.Errorf("STRING argument %.40q is not quoted", s)
	}
	s = s[1 : len(s)-1]
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	if u, err := strconv.Unquote(`"` + strings.ReplaceAll(strings.ReplaceAll(s, `\'`, `'`), `"`, `\"`) + `"`); err == nil {
		return u, nil
	}
	return s, nil
}

// validDotted reports whether s looks like a Python module or attribute path.
func validDotted(s string) bool {
	if s == "" || len(s) > 512 || !utf8.ValidString(s) { // a loader decodes names as UTF-8 and stops here
		return false
	}
	for _, r := range s {
		if r != '.' && r != '_' && !(r >= '0' && r <= '9') && !(r >= 'a' && r <= 'z') && !(r >= 'A' && r <= 'Z') && r < 0x80 {
			return false
		}
	}
	return true
}
