package s3

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
)

// AbortUploads finds the multipart uploads of objects under the store's
// prefix that were started more than olderThan ago and aborts them (or,
// with dryRun, only counts them), returning how many. An upload that was
// interrupted (a killed process, a host that went down) leaves its parts
// in the bucket, never visible as an object but stored and billed; S3
// keeps them until they are aborted or a lifecycle rule expires them.
// Uploads younger than olderThan may belong to a writer still at work
// and are left alone, as are uploads of keys that are not this store's.
func (s *Store) AbortUploads(ctx context.Context, olderThan time.Duration, dryRun bool) (int, error) {
	prefix := s.under("sha256/")
	cutoff := time.Now().Add(-olderThan)
	in := &s3api.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: &prefix}
	n := 0
	for {
		out, err := s.client.ListMultipartUploads(ctx, in)
		if err != nil {
			return n, s.explain("list multipart uploads", "", err)
		}
		for _, u := range out.Uploads {
			if u.Initiated == nil || !u.Initiated.Before(cutoff) {
				continue
			}
			if !dryRun {
				_, err := s.client.AbortMultipartUpload(ctx, &s3api.AbortMultipartUploadInput{Bucket: &s.bucket, Key: u.Key, UploadId: u.UploadId})
				if err != nil && httpStatus(err) != 404 { // gone meanwhile: completed or aborted by its writer
					return n, s.explain("abort multipart upload of "+aws.ToString(u.Key), "", err)
				}
			}
			n++
		}
		if !aws.ToBool(out.IsTruncated) {
			return n, nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}
