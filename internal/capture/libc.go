package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"
)

// glibcPatterns and muslPatterns locate the C library on the usual
// Debian-style multiarch, Fedora-style lib64 and Alpine layouts.
var (
	glibcPatterns = []string{"/lib/*-linux-gnu*/libc.so.6", "/usr/lib/*-linux-gnu*/libc.so.6", "/lib64/libc.so.6", "/usr/lib64/libc.so.6", "/lib/libc.so.6", "/usr/lib/libc.so.6"}
	muslPatterns  = []string{"/lib/ld-musl-*.so.1", "/usr/lib/ld-musl-*.so.1"}
)

// muslVersion matches the "Version 1.2.4" line musl's loader prints.
var muslVersion = regexp.MustCompile(`(?m)^Version ([0-9][0-9A-Za-z.\-_]*)`)

// readLibc finds glibc (version read from the library's own banner, no
// process started) or else musl (version printed by its loader).
func readLibc(ctx context.Context) (Libc, error) {
	if p := firstGlob(glibcPatterns); p != "" {
		f, err := os.Open(p)
		if err != nil {
			return Libc{}, fmt.Errorf("read libc version: %w", err)
		}
		defer f.Close()
		v, err := scanGlibcVersion(f)
		if err != nil {
			return Libc{}, fmt.Errorf("read libc version from %s: %w", p, err)
		}
		if v != "" {
			return Libc{Kind: "glibc", Version: v}, nil
		}
	}
	if p := firstGlob(muslPatterns); p != "" {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		// The loader prints its banner and exits non-zero when run bare.
		out, err := exec.CommandContext(ctx, p).CombinedOutput()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return Libc{}, fmt.Errorf("read musl version from %s: %w", p, err)
		}
		if m := muslVersion.FindSubmatch(out); m != nil {
			return Libc{Kind: "musl", Version: string(m[1])}, nil
		}
	}
	return Libc{}, nil
}

// firstGlob returns the first existing file matching one of patterns.
func firstGlob(patterns []string) string {
	for _, pat := range patterns {
		matches, _ := filepath.Glob(pat)
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
				return m
			}
		}
	}
	return ""
}

// glibcMarker precedes the version in glibc's banner string:
// "GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36."
var glibcMarker = []byte("release version ")

// scanGlibcVersion streams a libc binary looking for its banner and
// returns the version, or "" when there is none.
func scanGlibcVersion(r io.Reader) (string, error) {
	const tail = 32 // bytes kept after the marker to read the version
	buf := make([]byte, 0, 64<<10)
	chunk := make([]byte, 64<<10)
	for {
		n, err := io.ReadFull(r, chunk)
		buf = append(buf, chunk[:n]...)
		done := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !done {
			return "", err
		}
		if i := bytes.Index(buf, glibcMarker); i >= 0 && (done || len(buf)-i >= len(glibcMarker)+tail) {
			rest := buf[i+len(glibcMarker):]
			end := 0
			for end < len(rest) && end < tail && (rest[end] >= '0' && rest[end] <= '9' || rest[end] == '.') {
				end++
			}
			if v := string(bytes.TrimRight(rest[:end], ".")); v != "" {
				return v, nil
			}
			buf = buf[i+len(glibcMarker):]
		}
		if done {
			return "", nil
		}
		keep := len(glibcMarker) + tail
		if len(buf) > keep {
			buf = append(buf[:0], buf[len(buf)-keep:]...)
		}
	}
}
