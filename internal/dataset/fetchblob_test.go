package dataset

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// TestFetchS3 reads an object through gocloud.dev's s3blob from a minimal
// S3-compatible server on 127.0.0.1 (path-style GetObject only).
func TestFetchS3(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	objects := map[string]string{"/bucket/data/prices.csv": "a,b\n1,2\n", "/bucket/big.bin": strings.Repeat("x", 4096)}
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, ok := objects[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>`)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("ETag", `"1"`)
		if r.Method != http.MethodHead {
			fmt.Fprint(w, body)
		}
	})
	q := "?region=us-east-1&use_path_style=true&endpoint=" + s.URL
	e := newEnv(t)
	a, err := e.add(t, "prices@1", "s3://bucket/data/prices.csv"+q, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Source.Digest != core.DigestOf([]byte("a,b\n1,2\n")) {
		t.Fatalf("source = %+v", a.Source)
	}
	d, err := Lookup(context.Background(), e.st, e.cat, mustRef(t, "prices@1"))
	if err != nil || d.BOM.Entries[0].Path != "prices.csv" {
		t.Fatalf("lookup: %+v %v", d, err)
	}
	if _, err := e.add(t, "big@1", "s3://bucket/big.bin"+q, AddOptions{MaxSize: 1024}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("object over the limit: %v", err)
	}
	if _, err := e.add(t, "gone@1", "s3://bucket/nothing.csv"+q, AddOptions{}); err == nil {
		t.Fatal("missing object registered")
	}
	if _, err := e.add(t, "nokey@1", "s3://bucket"+q, AddOptions{}); !errors.Is(err, ErrUnsafeSource) {
		t.Fatalf("bucket without key: %v", err)
	}
}
