package s3test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The server answers the S3 API and a bucket made through it is listed.
func TestStart(t *testing.T) {
	s := Start(t)
	b := s.Bucket(t)
	out, err := s.Client.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 1 || *out.Buckets[0].Name != b {
		t.Fatalf("buckets = %v, want only %s", out.Buckets, b)
	}
}
