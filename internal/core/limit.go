package core

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"
)

// ErrTooLarge is wrapped by ReadLimited and ReadFileLimited when a
// document is longer than its limit.
var ErrTooLarge = errors.New("too large")

// ReadLimited reads r to its end, at most limit bytes: it never reads more
// than limit+1 bytes, and a longer r is an error that wraps ErrTooLarge
// and names what (a file name, "request body") and the limit. For
// untrusted documents (bundles, BOMs, policies, admission requests) that
// must never be read whole whatever their size.
func ReadLimited(r io.Reader, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{What: what, Limit: limit}
	}
	return b, nil
}

// ReadFileLimited reads the regular file at path, at most limit bytes (see
// ReadLimited). Anything but a regular file (a FIFO, a device) is refused
// before it is opened, so a read never blocks.
func ReadFileLimited(path string, limit int64) ([]byte, error) {
	if err := CheckRegular(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadLimited(f, limit, path)
}

// CheckRegular returns an error unless path (symlinks followed) is a
// regular file: reading a FIFO or a device could block or never end.
func CheckRegular(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory, not a file", path)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%s): give a file's path", path, fi.Mode().Type())
	}
	return nil
}

// TooLargeError says a document passed its size limit.
type TooLargeError struct {
	What  string
	Limit int64
}

// Error says which document, and the limit it passed.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than the %s limit: %v", e.What, HumanSize(e.Limit), ErrTooLarge)
}

// Unwrap returns ErrTooLarge.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// HumanSize writes a byte count as people read it: 512 B, 8.0 MiB.
func HumanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// ExcerptLen is how many bytes of a bad value Excerpt keeps.
const ExcerptLen = 64

// Excerpt quotes s for an error message, cut to its first ExcerptLen bytes
// (on a character boundary) with the full length said when it was cut: a
// bad value from an untrusted document is named, never echoed whole.
func Excerpt(s string) string {
	if len(s) <= ExcerptLen {
		return strconv.Quote(s)
	}
	cut := ExcerptLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("… (%d bytes)", len(s))
}

// FirstBytes returns a writer that passes the first n bytes written to it
// on to w and drops the rest, reporting every write complete: for the
// output of a child process, which must never block on a full pipe nor
// fill memory.
func FirstBytes(w io.Writer, n int) io.Writer { return &firstBytes{w: w, n: n} }

type firstBytes struct {
	w io.Writer
	n int
}

func (l *firstBytes) Write(p []byte) (int, error) {
	if k := min(len(p), l.n); k > 0 {
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
