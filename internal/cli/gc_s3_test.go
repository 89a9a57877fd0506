package cli

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store/s3"
	"lockstep.dev/lockstep/internal/store/s3/s3test"
)

// inBucket reports whether bucket b holds object d under team/lockstep.
func inBucket(t *testing.T, srv *s3test.Server, b string, d core.Digest) bool {
	t.Helper()
	_, err := srv.Client.HeadObject(context.Background(), &s3api.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(keyOf(t, srv, b, d))})
	return err == nil
}

// gc against a store in a bucket removes the objects nothing reaches,
// keeps a dataset's, and waits for a run in progress in another process:
// the objects that run writes survive it.
func TestGCOnS3Store(t *testing.T) {
	gate := filepath.Join(t.TempDir(), "go")
	flow := "flow: g\nsteps:\n  slow:\n    run: echo started; while [ ! -e " + gate + " ]; do sleep 0.05; done; echo written by the run > $LOCKSTEP_OUTPUT_DIR/o.txt\n    outputs: {o: o.txt}\n    sandbox: none\n"
	p, srv, b := s3Project(t, flow, map[string]string{"data/kept.csv": "a,b\n1,2\n"})
	p.mustRun(0, "data", "add", "kept@1", "data")
	kept := core.DigestOf([]byte("a,b\n1,2\n"))

	u, _ := url.Parse(srv.URL(b, "team/lockstep"))
	st, err := s3.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	garbage := []byte("nothing refers to this\n")
	if err := st.Put(context.Background(), core.DigestOf(garbage), bytes.NewReader(garbage)); err != nil {
		t.Fatal(err)
	}

	run, runOut := p.lockstepProcess("run")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer run.Process.Kill()
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(runOut.String(), "started"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the run's step never started:\n%s", runOut)
		}
	}
	gc, gcOut := p.lockstepProcess("gc")
	if err := gc.Start(); err != nil {
		t.Fatal(err)
	}
	gcDone := make(chan error, 1)
	go func() { gcDone <- gc.Wait() }()
	finished := false
	for !finished && !strings.Contains(gcOut.String(), "waiting for the runs in progress") {
		select {
		case <-gcDone:
			finished = true
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("run: %v\n%s", err, runOut)
	}
	if finished {
		t.Fatalf("gc finished while a run was in progress:\n%s", gcOut)
	}
	if err := <-gcDone; err != nil {
		t.Fatalf("gc: %v\n%s", err, gcOut)
	}
	// The unreferenced object, and the run's first record (status
	// running), which its final record replaced.
	if !strings.Contains(gcOut.String(), "removed 2 objects") {
		t.Errorf("gc did not report the two unreferenced objects removed:\n%s", gcOut)
	}
	if inBucket(t, srv, b, core.DigestOf(garbage)) {
		t.Error("the unreferenced object is still in the bucket")
	}
	if !inBucket(t, srv, b, kept) {
		t.Error("gc removed the dataset's file from the bucket")
	}
	made := core.DigestOf([]byte("written by the run\n"))
	if !inBucket(t, srv, b, made) {
		t.Error("gc removed the output of the run it waited for")
	}
	os.RemoveAll(filepath.Join(p.dir, ".lockstep", "cache", "objects"))
	p.mustRun(0, "check")
	if r := p.mustRun(0, "cat", string(made)); r.stdout != "written by the run\n" {
		t.Errorf("cat of the run's output after gc: %q", r.stdout)
	}
}

// gc aborts the multipart uploads a killed writer left in the bucket once
// they are older than --uploads-older-than; a dry run only counts them.
func TestGCAbortsAbandonedUploads(t *testing.T) {
	p, srv, b := s3Project(t, "flow: u\nsteps:\n  a: {run: 'true'}\n", nil)
	key := keyOf(t, srv, b, core.DigestOf([]byte("a large object whose writer was killed")))
	up, err := srv.Client.CreateMultipartUpload(context.Background(), &s3api.CreateMultipartUploadInput{Bucket: &b, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.Client.UploadPart(context.Background(), &s3api.UploadPartInput{Bucket: &b, Key: &key, UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(make([]byte, 5<<20))})
	if err != nil {
		t.Fatal(err)
	}
	uploads := func() int {
		out, err := srv.Client.ListMultipartUploads(context.Background(), &s3api.ListMultipartUploadsInput{Bucket: &b})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Uploads)
	}
	if r := p.mustRun(0, "gc"); strings.Contains(r.stdout, "abort") || uploads() != 1 {
		t.Fatalf("gc aborted an upload younger than a day:\n%s", r.stdout)
	}
	time.Sleep(1100 * time.Millisecond)
	if r := p.mustRun(0, "gc", "--dry-run", "--uploads-older-than", "1s"); !strings.Contains(r.stdout, "would abort 1 uploads started over 1s ago") || uploads() != 1 {
		t.Fatalf("dry run:\n%s", r.stdout)
	}
	if r := p.mustRun(0, "gc", "--uploads-older-than", "1s"); !strings.Contains(r.stdout, "aborted 1 uploads") || uploads() != 0 {
		t.Fatalf("gc --uploads-older-than 1s left %d uploads:\n%s", uploads(), r.stdout)
	}
	p.mustRun(2, "gc", "--uploads-older-than", "0s")
}
