package dataset

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// serve starts a 127.0.0.1 test server with handler.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func TestFetchPinsAndDetectsChangedSource(t *testing.T) {
	e := newEnv(t)
	var body atomic.Value
	body.Store("a,b\n1,2\n")
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "identity" {
			t.Errorf("Accept-Encoding = %q", r.Header.Get("Accept-Encoding"))
		}
		fmt.Fprint(w, body.Load().(string))
	})
	src := s.URL + "/files/prices.csv"
	a, err := e.add(t, "prices@1", src, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Source.Digest != core.DigestOf([]byte("a,b\n1,2\n")) || !a.Source.Insecure || len(a.Source.Warnings) == 0 {
		t.Fatalf("source = %+v", a.Source)
	}
	d, err := Lookup(context.Background(), e.st, e.cat, mustRef(t, "prices@1"))
	if err != nil {
		t.Fatal(err)
	}
	if d.BOM.Entries[0].Path != "prices.csv" || d.BOM.Sources[0] != src {
		t.Fatalf("BOM entries %v sources %v", d.BOM.Entries, d.BOM.Sources)
	}
	if props := properties(d.BOM.Doc.Metadata.Component.Properties); props[propInsecure] != src {
		t.Fatalf("plain http not recorded: %v", props)
	}
	// Same bytes again: a no-op.
	if a2, err := e.add(t, "prices@1", src, AddOptions{}); err != nil || !a2.Existing {
		t.Fatalf("re-fetch of unchanged source = %+v, %v", a2, err)
	}
	// The source changed behind our back: refused, both digests shown.
	body.Store("a,b\n6,6\n")
	_, err = e.add(t, "prices@1", src, AddOptions{})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), string(a.Tree)) {
		t.Fatalf("changed source: %v", err)
	}
}

func TestFetchRefusals(t *testing.T) {
	e := newEnv(t)
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/truncated":
			w.Header().Set("Content-Length", "1000")
			fmt.Fprint(w, "only a little")
		case "/big":
			w.Header().Set("Content-Length", "5000")
			w.Write(make([]byte, 5000))
		case "/endless":
			chunk := make([]byte, 512)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/missing":
			http.NotFound(w, r)
		default:
			fmt.Fprint(w, "ok\n")
		}
	})
	tests := []struct {
		name, src string
		opts      AddOptions
		want      error
		text      string
	}{
		{"truncated", s.URL + "/truncated", AddOptions{}, ErrTruncated, "truncated"},
		{"announced too big", s.URL + "/big", AddOptions{MaxSize: 1000}, ErrTooLarge, "--max-size"},
		{"endless", s.URL + "/endless", AddOptions{MaxSize: 100 << 10}, ErrTooLarge, "--max-size"},
		{"expect mismatch", s.URL + "/ok.csv", AddOptions{Expect: core.DigestOf([]byte("other"))}, ErrDigestMismatch, "expected"},
		{"not found", s.URL + "/missing", AddOptions{}, nil, "404"},
		{"ftp", "ftp://127.0.0.1/x", AddOptions{}, ErrUnsafeSource, "not supported"},
		{"remote file url", "file://example.org/etc/passwd", AddOptions{}, ErrUnsafeSource, "local path"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := fmt.Sprintf("refused@%d", i)
			_, err := e.add(t, ref, tt.src, tt.opts)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.want, tt.text)
			}
			if _, _, err := e.cat.Name(context.Background(), Kind, ref); !errors.Is(err, catalog.ErrNotFound) {
				t.Fatalf("bound after refusal: %v", err)
			}
		})
	}
}

func TestFetchRecordsRedirectToOtherHost(t *testing.T) {
	e := newEnv(t)
	other := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x\n1\n") })
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/real.csv", http.StatusFound)
	})
	a, err := e.add(t, "moved@1", s.URL+"/data.csv", AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Source.Redirects) != 1 || a.Source.Redirects[0] != other.URL+"/real.csv" {
		t.Fatalf("redirects = %v", a.Source.Redirects)
	}
	raw, err := e.st.ReadBytes(a.BOM)
	if err != nil {
		t.Fatal(err)
	}
	validateCycloneDX(t, raw)
	if !strings.Contains(string(raw), `"type":"distribution-intake","url":"`+other.URL+`/real.csv"`) ||
		!strings.Contains(string(raw), propRedirect) {
		t.Fatalf("redirect not recorded in BOM:\n%s", raw)
	}
}

func TestFetchRefusesHTTPSDowngrade(t *testing.T) {
	e := newEnv(t)
	plain := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x\n") })
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/x.csv", http.StatusFound)
	}))
	defer tls.Close()
	_, err := e.add(t, "down@1", tls.URL+"/x.csv", AddOptions{HTTPClient: tls.Client()})
	if !errors.Is(err, ErrUnsafeSource) || !strings.Contains(err.Error(), "downgrades") {
		t.Fatalf("https→http redirect: %v", err)
	}
}
