package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
	"lockstep.dev/lockstep/internal/store/s3"
	"lockstep.dev/lockstep/internal/store/s3/s3test"
)

// s3Project is a project whose home keeps its objects in a new bucket of
// a real S3 server, under the prefix team/lockstep.
func s3Project(t *testing.T, flow string, files map[string]string) (*project, *s3test.Server, string) {
	t.Helper()
	srv := s3test.Start(t) // sets the AWS environment newProject passes on
	b := srv.Bucket(t)
	p := newProject(t, flow, files)
	p.mustRun(0, "init", "--store", srv.URL(b, "team/lockstep"))
	return p, srv, b
}

// keyOf returns the key object d has in bucket b under team/lockstep.
func keyOf(t *testing.T, srv *s3test.Server, b string, d core.Digest) string {
	t.Helper()
	u, _ := url.Parse(srv.URL(b, "team/lockstep"))
	st, err := s3.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return st.Key(d)
}

const s3Flow = `flow: s3
steps:
  make:
    run: printf 'made in a bucket\n' > $LOCKSTEP_OUTPUT_DIR/o.txt
    outputs: {o: o.txt}
  use:
    run: tr a-z A-Z < $LOCKSTEP_INPUT_O > $LOCKSTEP_OUTPUT_DIR/u.txt
    inputs: {o: make.o}
    outputs: {u: u.txt}
`

// A flow runs against a store in a bucket as against a local one: its
// objects land in the bucket, get and cat read them back, store stat
// counts them; an input corrupted in the bucket fails the run with the
// object's digest named.
func TestRunAgainstS3Store(t *testing.T) {
	p, srv, b := s3Project(t, s3Flow, map[string]string{"README": "code\n"})
	p.mustRun(0, "run")
	home := filepath.Join(p.dir, ".lockstep")
	if _, err := os.Stat(filepath.Join(home, "objects")); err == nil {
		t.Fatal("objects were written into the local home, not the bucket")
	}
	made := core.DigestOf([]byte("made in a bucket\n"))
	if _, err := srv.Client.HeadObject(context.Background(), &s3api.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(keyOf(t, srv, b, made))}); err != nil {
		t.Fatalf("the step's output is not in the bucket: %v", err)
	}
	dest := filepath.Join(t.TempDir(), "u")
	p.mustRun(0, "get", "last", "use.u", dest)
	if got, _ := os.ReadFile(dest); string(got) != "MADE IN A BUCKET\n" {
		t.Fatalf("get: %q", got)
	}
	if r := p.mustRun(0, "cat", string(made)); r.stdout != "made in a bucket\n" {
		t.Fatalf("cat: %q", r.stdout)
	}
	r := p.mustRun(0, "store", "stat")
	if !strings.Contains(r.stdout, "s3://"+b+"/team/lockstep?endpoint=") || !strings.Contains(r.stdout, "scheme:  s3") {
		t.Fatalf("store stat:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, s3test.SecretKey) || strings.Contains(r.stdout, s3test.AccessKey) {
		t.Fatalf("store stat shows a credential:\n%s", r.stdout)
	}
	p.mustRun(0, "store", "verify")

	if err := srv.Alter(b, keyOf(t, srv, b, made), bytes.ToUpper); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(home, "cache", "objects")) // another host: nothing cached
	r = p.mustRun(1, "store", "verify")
	if !strings.Contains(r.stdout, string(made)) || !strings.Contains(r.stderr, "found 1 bad objects") {
		t.Fatalf("store verify of a corrupted bucket:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	r = p.run("run", "--no-cache")
	if r.code != 1 || !strings.Contains(r.stdout+r.stderr, string(made)) {
		t.Fatalf("run with an input corrupted in the bucket: exit %d, want 1 naming %s\nstdout:\n%s\nstderr:\n%s", r.code, made, r.stdout, r.stderr)
	}
	t.Logf("run with a corrupted input says:\n%s", r.stderr)
}

// store copy moves a local home's objects into a bucket, verifying each;
// cut off half-way it fails saying how to resume, and run again it copies
// only what is missing.
func TestStoreCopyToS3Resumes(t *testing.T) {
	srv := s3test.Start(t)
	b := srv.Bucket(t)
	p := newProject(t, "flow: c\nsteps:\n  a:\n    run: 'true'\n    sandbox: none\n", nil)
	p.mustRun(0, "init")
	st, err := store.Open(filepath.Join(p.dir, ".lockstep"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	for i := range n {
		if _, err := st.PutBytes(bytes.Repeat([]byte(fmt.Sprintf("object %d ", i)), 20000)); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	proxy := srv.Proxy(t)
	viaProxy := strings.Replace(srv.URL(b, "team/lockstep"), url.QueryEscape(srv.Endpoint), url.QueryEscape(proxy.Endpoint), 1)
	cmd, out := p.lockstepProcess("store", "copy", "--to", viaProxy)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for countObjects(t, srv, b) < 20 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	proxy.Down()
	if err := cmd.Wait(); err == nil {
		t.Fatalf("store copy through a network that went down succeeded:\n%s", out)
	}
	if !strings.Contains(out.String(), "run the same command again to resume") {
		t.Fatalf("the failed copy does not say how to resume:\n%s", out)
	}
	t.Logf("copy cut off says:\n%s", out)
	first := countObjects(t, srv, b)
	if first == 0 || first >= n {
		t.Fatalf("%d of %d objects in the bucket after the cut; want some", first, n)
	}
	r := p.mustRun(0, "store", "copy", "--to", srv.URL(b, "team/lockstep"))
	want := fmt.Sprintf("copied %d objects to s3://%s/team/lockstep", n-first, b)
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, fmt.Sprintf("%d were there already", first)) {
		t.Fatalf("resumed copy: stderr %q; want %q and %d there already", r.stderr, want, first)
	}
	if got := countObjects(t, srv, b); got != n {
		t.Fatalf("%d objects in the bucket, want %d", got, n)
	}
}

// countObjects counts the keys in bucket b.
func countObjects(t *testing.T, srv *s3test.Server, b string) int {
	t.Helper()
	n := 0
	pages := s3api.NewListObjectsV2Paginator(srv.Client, &s3api.ListObjectsV2Input{Bucket: aws.String(b)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Contents)
	}
	return n
}

// data get restores a dataset from a bucket, rehashing every byte it
// writes: a file corrupted in the bucket fails the restore with its digest
// named, and leaves no destination behind.
func TestDataGetFromS3(t *testing.T) {
	p, srv, b := s3Project(t, "flow: d\nsteps:\n  a:\n    run: 'true'\n    sandbox: none\n", map[string]string{
		"data/a.csv": "x,y\n1,2\n", "data/b.csv": "x,y\n3,4\n",
	})
	p.mustRun(0, "data", "add", "pairs@1", "data")
	os.RemoveAll(filepath.Join(p.dir, ".lockstep", "cache", "objects"))
	dest := filepath.Join(t.TempDir(), "pairs")
	p.mustRun(0, "data", "get", "pairs@1", dest)
	if got, _ := os.ReadFile(filepath.Join(dest, "b.csv")); string(got) != "x,y\n3,4\n" {
		t.Fatalf("restored b.csv = %q", got)
	}
	bad := core.DigestOf([]byte("x,y\n3,4\n"))
	if err := srv.Alter(b, keyOf(t, srv, b, bad), bytes.ToUpper); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(p.dir, ".lockstep", "cache", "objects"))
	dest = filepath.Join(t.TempDir(), "again")
	r := p.mustRun(1, "data", "get", "pairs@1", dest)
	if !strings.Contains(r.stderr, string(bad)) {
		t.Fatalf("restore of a corrupted file does not name it:\n%s", r.stderr)
	}
	if _, err := os.Lstat(dest); err == nil {
		t.Fatal("a failed restore left its destination")
	}
}

// init --store names a missing bucket and what to do about it, in one
// line, and exits 1.
func TestInitWithMissingBucket(t *testing.T) {
	srv := s3test.Start(t)
	p := newProject(t, "flow: m\nsteps:\n  a:\n    run: 'true'\n    sandbox: none\n", nil)
	r := p.mustRun(1, "init", "--store", srv.URL("not-made-yet", "x"))
	want := "store s3://not-made-yet/x: bucket not-made-yet does not exist; create it or fix the store URL"
	if !strings.Contains(r.stderr, want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("init with a missing bucket: stderr %q; want one line saying %q", r.stderr, want)
	}
}
