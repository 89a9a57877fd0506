package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/store/s3"
	"lockstep.dev/lockstep/internal/store/s3/s3test"
)

var ctx = context.Background()

// openURL opens a store URL, returning the error whole.
func openURL(t *testing.T, raw string) (*s3.Store, error) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s3.Open(ctx, u)
}

// wantErr fails unless err is one line holding every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one saying %q", parts)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not say %q", err, p)
		}
	}
}

func TestBadConfiguration(t *testing.T) {
	srv := s3test.Start(t)
	b := srv.Bucket(t)

	_, err := openURL(t, srv.URL("no-such-bucket", "p"))
	wantErr(t, err, "store s3://no-such-bucket/p: bucket no-such-bucket does not exist; create it or fix the store URL")

	t.Run("WrongCredentials", func(t *testing.T) {
		t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
		_, err := openURL(t, srv.URL(b, "p"))
		wantErr(t, err, "access refused", "check the AWS credentials")
		if strings.Contains(err.Error(), "not-the-secret") {
			t.Errorf("error %q shows the secret", err)
		}
	})
	t.Run("NoCredentials", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		_, err := openURL(t, srv.URL(b, "p"))
		wantErr(t, err, "no AWS credentials found; set AWS_ACCESS_KEY_ID")
	})
	t.Run("Unreachable", func(t *testing.T) {
		p := srv.Proxy(t)
		p.Down()
		started := time.Now()
		_, err := openURL(t, strings.Replace(srv.URL(b, "p"), url.QueryEscape(srv.Endpoint), url.QueryEscape(p.Endpoint), 1))
		wantErr(t, err, "cannot reach "+p.Endpoint, "connection refused", "check that the service is up and the endpoint")
		if d := time.Since(started); d > 30*time.Second {
			t.Errorf("took %v to give up", d)
		}
	})
	t.Run("URL", func(t *testing.T) {
		for raw, want := range map[string]string{
			"s3://user:secret@" + b + "/p":          "remove the user name and password; credentials come from the AWS chain",
			"s3://" + b + "/p?access_key=x":         `unknown parameter "access_key" (known: endpoint, region, use_path_style)`,
			"s3:///p":                               "no bucket; write s3://BUCKET/PREFIX",
			"s3://" + b + "/p?endpoint=ftp://x":     `endpoint="ftp://x": want http(s)://HOST[:PORT]`,
			"s3://" + b + "/p?use_path_style=maybe": `use_path_style="maybe": want true or false`,
		} {
			_, err := openURL(t, raw)
			wantErr(t, err, want)
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
		}
	})
}

// An object deleted or altered in the bucket behind the store's back is
// an error naming it, also through the store and its read cache.
func TestObjectsChangedBehindOurBack(t *testing.T) {
	srv := s3test.Start(t)
	b := srv.Bucket(t)
	st, err := store.OpenURLWith(ctx, srv.URL(b, "team"), store.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	gone, _ := st.PutBytes([]byte("deleted behind our back"))
	bad, _ := st.PutBytes([]byte("altered behind our back"))
	fresh, err := store.OpenURLWith(ctx, srv.URL(b, "team"), store.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := openURL(t, srv.URL(b, "team"))
	if err := srv.Remove(b, direct.Key(gone)); err != nil {
		t.Fatal(err)
	}
	if err := srv.Alter(b, direct.Key(bad), bytes.ToUpper); err != nil {
		t.Fatal(err)
	}
	_, err = fresh.ReadBytes(gone)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("reading a deleted object: err = %v, want ErrNotFound", err)
	}
	wantErr(t, err, string(gone), "s3://"+b+"/team")
	_, err = fresh.ReadBytes(bad)
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("reading an altered object: err = %v, want ErrCorrupt", err)
	}
	wantErr(t, err, string(bad))
	if err := fresh.Verify(bad); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Verify of an altered object: %v", err)
	}
}

// pattern returns n reproducible bytes and their digest.
func pattern(n int) ([]byte, core.Digest) {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(uint64(i) * 0x9e3779b97f4a7c15 >> 56)
	}
	return b, core.DigestOf(b)
}

// onRead calls fn once, when more than after bytes were read.
type onRead struct {
	r     io.Reader
	after int
	fn    func()
}

func (o *onRead) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if o.after -= n; o.after < 0 && o.fn != nil {
		o.fn()
		o.fn = nil
	}
	return n, err
}

// A connection reset mid-upload is retried and the object arrives whole;
// a network that stays down fails the upload with a clear error and
// leaves nothing under the digest.
func TestNetworkCutMidUpload(t *testing.T) {
	srv := s3test.Start(t)
	b := srv.Bucket(t)
	direct, err := openURL(t, srv.URL(b, "p"))
	if err != nil {
		t.Fatal(err)
	}
	p := srv.Proxy(t)
	viaProxy, err := openURL(t, strings.Replace(srv.URL(b, "p"), url.QueryEscape(srv.Endpoint), url.QueryEscape(p.Endpoint), 1))
	if err != nil {
		t.Fatal(err)
	}
	data, d := pattern(23 << 20)
	if err := viaProxy.Put(ctx, d, &onRead{r: bytes.NewReader(data), after: 12 << 20, fn: p.Cut}); err != nil {
		t.Fatalf("upload with its connections reset once: %v", err)
	}
	r, err := direct.Open(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after a retried upload: %d bytes, %v", len(got), err)
	}

	data, d = pattern(24 << 20)
	err = viaProxy.Put(ctx, d, &onRead{r: bytes.NewReader(data), after: 12 << 20, fn: p.Down})
	wantErr(t, err, string(d), "cannot reach "+p.Endpoint)
	if _, err := direct.Stat(ctx, d); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after a failed upload, Stat: err = %v; want nothing under the digest", err)
	}
}
