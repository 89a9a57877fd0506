package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/blobio"
)

// Scheme is the URL scheme of S3 stores.
const Scheme = "s3"

// Store keeps objects in a bucket of an S3-compatible service. It is safe
// for concurrent use by goroutines and by processes on many hosts.
type Store struct {
	client *s3api.Client
	bucket string
	prefix string // key prefix without a trailing slash; "" for the bucket's root
	name   string // s3://bucket/prefix, for messages
	where  string // the endpoint, for messages about reaching it
}

// queryKeys are the parameters a store URL may carry.
var queryKeys = []string{"endpoint", "region", "use_path_style"}

// Open opens the store a URL s3://BUCKET/PREFIX?endpoint=URL&region=R
// names and checks that the bucket is there and the credentials are
// accepted. endpoint (default: AWS) and region (default: the AWS chain's,
// else us-east-1) are optional; use_path_style=false asks for
// virtual-hosted buckets at an endpoint, which default to path style.
func Open(ctx context.Context, u *url.URL) (*Store, error) {
	s, err := newStore(ctx, u)
	if err != nil {
		return nil, err
	}
	if _, err := s.client.HeadBucket(ctx, &s3api.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		return nil, s.explain("open", "", err)
	}
	return s, nil
}

func newStore(ctx context.Context, u *url.URL) (*Store, error) {
	name := "s3://" + u.Host + strings.TrimRight(u.Path, "/")
	bad := func(format string, a ...any) error {
		return fmt.Errorf("store URL %s: %s", name, fmt.Sprintf(format, a...))
	}
	if u.User != nil {
		return nil, bad("remove the user name and password; credentials come from the AWS chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, ~/.aws/credentials)")
	}
	if u.Host == "" {
		return nil, bad("no bucket; write s3://BUCKET/PREFIX?endpoint=URL&region=REGION")
	}
	q := u.Query()
	for k := range q {
		if !slices.Contains(queryKeys, k) {
			return nil, bad("unknown parameter %q (known: %s)", k, strings.Join(queryKeys, ", "))
		}
	}
	endpoint, region := q.Get("endpoint"), q.Get("region")
	pathStyle := endpoint != ""
	if v := q.Get("use_path_style"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, bad("use_path_style=%q: want true or false", v)
		}
		pathStyle = b
	}
	if endpoint != "" {
		if e, err := url.Parse(endpoint); err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
			return nil, bad("endpoint=%q: want http(s)://HOST[:PORT]", endpoint)
		}
	}
	opts := []func(*config.LoadOptions) error{
		// The SDK's own buildable client: it adds AWS_CA_BUNDLE's roots to
		// this transport, where a client of ours would be refused.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = 256
			t.MaxIdleConnsPerHost = 64
			t.ResponseHeaderTimeout = 2 * time.Minute
		})),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 5
				o.MaxBackoff = 3 * time.Second
			})
		}),
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("store %s: AWS configuration: %w", name, err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	s := &Store{
		bucket: u.Host,
		prefix: strings.Trim(u.Path, "/"),
		name:   name,
		where:  endpoint,
	}
	if s.where == "" {
		s.where = "AWS S3 in " + cfg.Region
	}
	s.client = s3api.NewFromConfig(cfg, func(o *s3api.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.UsePathStyle = pathStyle
		// Checksums are ours: SHA-256, computed once, sent with every
		// upload; reads are verified against the digest instead.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return s, nil
}

// String names the store, s3://BUCKET/PREFIX, for messages.
func (s *Store) String() string { return s.name }

// Key returns the key object d is kept under, PREFIX/sha256/ab/cdef…, or
// "" for a malformed digest.
func (s *Store) Key(d core.Digest) string {
	if !d.Valid() {
		return ""
	}
	h := d.Hex()
	return s.under("sha256/" + h[:2] + "/" + h[2:])
}

// under returns key below the store's prefix.
func (s *Store) under(key string) string {
	if s.prefix == "" {
		return key
	}
	return s.prefix + "/" + key
}

// key is Key with an error for a malformed digest.
func (s *Store) key(d core.Digest) (string, error) {
	k := s.Key(d)
	if k == "" {
		return "", fmt.Errorf("object %q: %w", d, core.ErrBadDigest)
	}
	return k, nil
}

// Stat returns the size of object d; the error wraps blobio.ErrNotFound
// when the bucket does not hold it.
func (s *Store) Stat(ctx context.Context, d core.Digest) (int64, error) {
	k, err := s.key(d)
	if err != nil {
		return 0, err
	}
	out, err := s.client.HeadObject(ctx, &s3api.HeadObjectInput{Bucket: &s.bucket, Key: &k})
	if err != nil {
		return 0, s.explain("stat", d, err)
	}
	return aws.ToInt64(out.ContentLength), nil
}

// Open returns a reader of object d that verifies its bytes as they are
// read (blobio.VerifyReader): read to EOF before trusting them.
func (s *Store) Open(ctx context.Context, d core.Digest) (io.ReadCloser, error) {
	k, err := s.key(d)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.get(ctx, d, k)
	if err != nil {
		return nil, err
	}
	return blobio.VerifyReader(r, string(d)), nil
}

// body is an object's response body whose errors say which object and
// store they are about.
type body struct {
	io.ReadCloser
	s *Store
	d core.Digest
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.s.explain("read", b.d, err)
	}
	return n, err
}

// Delete removes object d, or returns an error wrapping
// blobio.ErrNotFound when the bucket does not hold it.
func (s *Store) Delete(ctx context.Context, d core.Digest) error {
	k, err := s.key(d)
	if err != nil {
		return err
	}
	if _, err := s.Stat(ctx, d); err != nil {
		return err
	}
	if _, err := s.client.DeleteObject(ctx, &s3api.DeleteObjectInput{Bucket: &s.bucket, Key: &k}); err != nil {
		return s.explain("delete", d, err)
	}
	return nil
}

// List calls fn with every object whose digest starts with prefix, in
// digest order (S3 lists keys in byte order, and every object key has the
// same shape). Keys under the store's prefix that do not name an object
// are skipped.
func (s *Store) List(ctx context.Context, prefix string, fn func(d core.Digest, size int64) error) error {
	hexPrefix, ok := strings.CutPrefix(prefix, "sha256:")
	if prefix != "" && !ok {
		return fmt.Errorf("list %s: prefix %q: want sha256:HEX…", s.name, prefix)
	}
	keyPrefix := s.under("sha256/")
	if len(hexPrefix) <= 2 {
		keyPrefix += hexPrefix
	} else {
		keyPrefix += hexPrefix[:2] + "/" + hexPrefix[2:]
	}
	strip := len(s.under("sha256/"))
	pages := s3api.NewListObjectsV2Paginator(s.client, &s3api.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &keyPrefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return s.explain("list", "", err)
		}
		for _, o := range page.Contents {
			rest := aws.ToString(o.Key)[strip:]
			if len(rest) != 65 || rest[2] != '/' {
				continue
			}
			d := core.Digest("sha256:" + rest[:2] + rest[3:])
			if !d.Valid() {
				continue
			}
			if err := fn(d, aws.ToInt64(o.Size)); err != nil {
				return err
			}
		}
	}
	return nil
}

// errOf is errors.As as an expression.
func errOf[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}
