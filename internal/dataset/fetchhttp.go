package dataset

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// maxRedirects bounds how many redirects a download may follow.
const maxRedirects = 10

// openHTTP starts an http(s) download and returns its body and announced
// length (-1 if none). Redirects to other hosts are recorded in f; a
// redirect from https to plain http is refused. Plain http is allowed but
// marked insecure.
func openHTTP(ctx context.Context, u *url.URL, opts fetchOptions, f *Fetched) (io.ReadCloser, int64, error) {
	client := http.DefaultClient
	if opts.client != nil {
		client = opts.client
	}
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("%w: more than %d redirects", ErrUnsafeSource, maxRedirects)
		}
		prev := via[len(via)-1].URL
		if prev.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: redirect from %s downgrades to %s", ErrUnsafeSource, prev, req.URL)
		}
		if req.URL.Host != via[0].URL.Host {
			f.Redirects = append(f.Redirects, req.URL.String())
			f.Warnings = append(f.Warnings, fmt.Sprintf("%s redirected to another host: %s (recorded in the bill of materials)", u, req.URL))
		}
		return nil
	}
	if u.Scheme == "http" {
		f.Insecure = true
		f.Warnings = append(f.Warnings, fmt.Sprintf("%s is fetched over plain http: anyone on the path could alter it; pin it with --expect", u))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", u, err)
	}
	// Ask for the bytes as they are, so the digest is the file's digest.
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", "lockstep")
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("fetch %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, 0, fmt.Errorf("fetch %s: server answered %s", u, resp.Status)
	}
	if resp.Request != nil && resp.Request.URL.Scheme == "http" && u.Scheme == "http" {
		f.Insecure = true
	}
	return resp.Body, resp.ContentLength, nil
}
