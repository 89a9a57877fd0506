package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// DefaultMaxSize is the default limit on what one source may deliver: 10 GiB.
const DefaultMaxSize int64 = 10 << 30

// Fetched describes one source the data came from, as the BOM records it.
type Fetched struct {
	// URL is the source as the user gave it (a file:// URL for a path).
	URL string `json:"url"`
	// Redirects are the URLs on other hosts the source redirected to.
	Redirects []string `json:"redirects,omitempty"`
	// Digest and Size are what was received.
	Digest core.Digest `json:"digest"`
	Size   int64       `json:"size"`
	// Insecure is set for plain-http downloads.
	Insecure bool `json:"insecure,omitempty"`
	// Warnings are things the user should know (plain http, redirects).
	Warnings []string `json:"warnings,omitempty"`
}

// IsURL reports whether src names a remote source lockstep fetches
// (http, https, s3) or a file:// URL, rather than a local path.
func IsURL(src string) bool {
	u, err := url.Parse(src)
	if err != nil || u.Scheme == "" || len(u.Scheme) == 1 {
		return false // "C:" style or a plain path
	}
	return strings.Contains(src, "://")
}

// fetchURL streams a remote source into the store. It returns the file's
// digest; nothing is bound. Nothing partial is stored: a body that is
// truncated or larger than maxSize fails the store's write.
func fetchURL(ctx context.Context, st *store.Store, src string, opts fetchOptions) (*Fetched, error) {
	u, err := url.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("source %q: %w: %v", src, ErrUnsafeSource, err)
	}
	var (
		body io.ReadCloser
		f          = &Fetched{URL: src}
		want int64 = -1
	)
	switch u.Scheme {
	case "http", "https":
		body, want, err = openHTTP(ctx, u, opts, f)
	case "s3":
		body, want, err = openBlob(ctx, u)
	default:
		return nil, fmt.Errorf("source %q: %w: scheme %q is not supported (use https://, http://, s3:// or file://)", src, ErrUnsafeSource, u.Scheme)
	}
	if err != nil {
		return nil, err
	}
	defer body.Close()
	if want > opts.maxSize {
		return nil, fmt.Errorf("fetch %s: %w: it announces %d bytes, the limit is %d (raise it with --max-size)", src, ErrTooLarge, want, opts.maxSize)
	}
	lr := &limitedReader{r: body, left: opts.maxSize}
	d, n, err := st.Put(ctx, lr)
	switch {
	case lr.over:
		return nil, fmt.Errorf("fetch %s: %w: more than %d bytes (raise the limit with --max-size)", src, ErrTooLarge, opts.maxSize)
	case errors.Is(err, io.ErrUnexpectedEOF) || err == nil && want >= 0 && n != want:
		return nil, fmt.Errorf("fetch %s: %w: got %d of %d announced bytes; try again", src, ErrTruncated, n, want)
	case err != nil:
		return nil, fmt.Errorf("fetch %s: %w", src, err)
	}
	f.Digest, f.Size = d, n
	return f, nil
}

// fetchOptions tune fetchURL.
type fetchOptions struct {
	maxSize int64
	client  *http.Client
}

// limitedReader fails once more than left bytes were read.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		l.over = true
		return 0, ErrTooLarge
	}
	return n, err
}

// fileName picks the tree entry name of a downloaded file: the last element
// of the URL's path, or "data" when that is not a usable file name.
func fileName(u *url.URL) string {
	base := path.Base(u.Path)
	if core.ValidRelPath(base) != nil || base == "." || base == "/" || strings.ContainsAny(base, "/\\") {
		return "data"
	}
	return base
}
