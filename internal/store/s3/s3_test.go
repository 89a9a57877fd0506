package s3_test

import (
	"context"
	"net/url"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/store/s3"
	"lockstep.dev/lockstep/internal/store/s3/s3test"
	"lockstep.dev/lockstep/internal/store/storetest"
)

// bucket is a store on a real S3 server that the contract suite may
// damage behind its back.
type bucket struct {
	*s3.Store
	srv    *s3test.Server
	bucket string
}

func (b bucket) Damage(d core.Digest, mutate func([]byte) []byte) error {
	return b.srv.Alter(b.bucket, b.Key(d), mutate)
}

// open opens a store under a prefix of a new bucket of srv.
func open(t *testing.T, srv *s3test.Server) bucket {
	t.Helper()
	name := srv.Bucket(t)
	u, err := url.Parse(srv.URL(name, "team/lockstep"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := s3.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return bucket{st, srv, name}
}

func TestContract(t *testing.T) {
	srv := s3test.Start(t)
	storetest.Run(t, func(t *testing.T) store.Blob { return open(t, srv) })
}
