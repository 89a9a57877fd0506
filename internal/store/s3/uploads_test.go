package s3_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/s3/s3test"
)

// An upload abandoned half-way (its writer killed after a part) is
// aborted once it is older than the threshold; a younger one, and one of
// a key outside the store's prefix, are left alone.
func TestAbortUploads(t *testing.T) {
	srv := s3test.Start(t)
	b := open(t, srv)
	abandon := func(key string) {
		t.Helper()
		up, err := srv.Client.CreateMultipartUpload(ctx, &s3api.CreateMultipartUploadInput{Bucket: &b.bucket, Key: &key})
		if err != nil {
			t.Fatal(err)
		}
		_, err = srv.Client.UploadPart(ctx, &s3api.UploadPartInput{Bucket: &b.bucket, Key: &key, UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(make([]byte, 5<<20))})
		if err != nil {
			t.Fatal(err)
		}
	}
	pending := func() []string {
		t.Helper()
		out, err := srv.Client.ListMultipartUploads(ctx, &s3api.ListMultipartUploadsInput{Bucket: &b.bucket})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, u := range out.Uploads {
			keys = append(keys, aws.ToString(u.Key))
		}
		return keys
	}
	ours := b.Key(core.DigestOf([]byte("a large object, never completed")))
	abandon(ours)
	abandon("someone-else/big.bin")

	if n, err := b.AbortUploads(ctx, time.Hour, false); err != nil || n != 0 {
		t.Fatalf("uploads older than an hour: aborted %d, %v; want none", n, err)
	}
	time.Sleep(1100 * time.Millisecond)
	if n, err := b.AbortUploads(ctx, time.Second, true); err != nil || n != 1 || len(pending()) != 2 {
		t.Fatalf("dry run: counted %d, %v, and left %v; want 1 counted and both left", n, err, pending())
	}
	if n, err := b.AbortUploads(ctx, time.Second, false); err != nil || n != 1 {
		t.Fatalf("uploads older than a second: aborted %d, %v; want 1", n, err)
	}
	if left := pending(); len(left) != 1 || left[0] != "someone-else/big.bin" {
		t.Fatalf("uploads left: %v; want only the one outside the store's prefix", left)
	}
}
