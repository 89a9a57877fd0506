package capture

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// maxLine bounds one line of a parsed text file; the rest of a longer line
// is dropped, so hostile input cannot make a parser hold it in memory.
const maxLine = 64 << 10

// eachLine streams r and calls fn with every line, without its line ending.
// Lines longer than maxLine are cut to maxLine bytes. fn returns false to
// stop early.
func eachLine(r io.Reader, fn func(line string) bool) error {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		chunk, err := br.ReadSlice('\n')
		line := string(chunk)
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return err
		}
		if err == io.EOF && line == "" {
			return nil
		}
		if !fn(strings.TrimRight(line, "\r\n")) || err == io.EOF {
			return nil
		}
	}
}

// splitField splits "Name: value" (or "name=value" when sep is '=') into a
// trimmed name and value; ok is false when the line has no separator.
func splitField(line string, sep byte) (name, value string, ok bool) {
	i := strings.IndexByte(line, sep)
	if i < 0 {
		return "", "", false
	}
	return strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:]), true
}
