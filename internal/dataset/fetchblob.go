package dataset

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/s3blob" // s3:// buckets
)

// openBlob opens an object in a bucket named by a gocloud.dev URL:
// s3://BUCKET/KEY?region=R (other query parameters as s3blob documents,
// e.g. endpoint and use_path_style for S3-compatible servers). Credentials
// come from the usual AWS environment.
func openBlob(ctx context.Context, u *url.URL) (io.ReadCloser, int64, error) {
	key := strings.TrimPrefix(u.Path, "/")
	if key == "" {
		return nil, 0, fmt.Errorf("source %s: %w: name an object, s3://BUCKET/KEY", u, ErrUnsafeSource)
	}
	bucketURL := &url.URL{Scheme: u.Scheme, Host: u.Host, RawQuery: u.RawQuery}
	b, err := blob.OpenBucket(ctx, bucketURL.String())
	if err != nil {
		return nil, 0, fmt.Errorf("open bucket %s: %w", bucketURL, err)
	}
	r, err := b.NewReader(ctx, key, nil)
	if err != nil {
		b.Close()
		return nil, 0, fmt.Errorf("fetch %s: %w", u, err)
	}
	return &bucketReader{Reader: r, bucket: b}, r.Size(), nil
}

// bucketReader closes its bucket with the reader.
type bucketReader struct {
	*blob.Reader
	bucket *blob.Bucket
}

// Close closes the reader and the bucket.
func (r *bucketReader) Close() error {
	err := r.Reader.Close()
	if cerr := r.bucket.Close(); err == nil {
		err = cerr
	}
	return err
}
