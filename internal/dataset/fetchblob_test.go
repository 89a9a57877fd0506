package dataset

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/s3/s3test"
)

// TestFetchS3 reads objects through gocloud.dev's s3blob from a real
// S3-compatible server (versitygw) on 127.0.0.1.
func TestFetchS3(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	for key, body := range map[string]string{"data/prices.csv": "a,b\n1,2\n", "big.bin": strings.Repeat("x", 4096)} {
		if _, err := srv.Client.PutObject(context.Background(), &s3api.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body),
		}); err != nil {
			t.Fatal(err)
		}
	}
	q := "?region=" + s3test.Region + "&use_path_style=true&endpoint=" + srv.Endpoint
	e := newEnv(t)
	a, err := e.add(t, "prices@1", "s3://"+bucket+"/data/prices.csv"+q, AddOptions{})
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
	if _, err := e.add(t, "big@1", "s3://"+bucket+"/big.bin"+q, AddOptions{MaxSize: 1024}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("object over the limit: %v", err)
	}
	if _, err := e.add(t, "gone@1", "s3://"+bucket+"/nothing.csv"+q, AddOptions{}); err == nil {
		t.Fatal("missing object registered")
	}
	if _, err := e.add(t, "nokey@1", "s3://"+bucket+q, AddOptions{}); !errors.Is(err, ErrUnsafeSource) {
		t.Fatalf("bucket without key: %v", err)
	}
}
