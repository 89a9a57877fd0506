// Package s3test starts a real S3-compatible server for tests: versitygw
// (github.com/versity/versitygw) as an external process, serving a temp
// folder through its posix backend on a free loopback port with fixed root
// credentials. A test that calls Start is skipped, with the command that
// installs the server, when the versitygw binary is absent; CI installs it
// (scripts/test-deps.sh, .ci/run), so there the tests run.
package s3test

import (
	"bytes"
	"context"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Root credentials and region of every server Start runs.
const (
	AccessKey = "LSTESTKEYID"
	SecretKey = "lockstep-test-secret-key"
	Region    = "us-east-1"
)

// Install is the command that installs the server the tests use.
const Install = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// Server is a running versitygw.
type Server struct {
	// Endpoint is its base URL, http://127.0.0.1:PORT.
	Endpoint string
	// Client is an S3 client of the server with its root credentials, for
	// a test to create buckets or alter objects behind lockstep's back.
	Client *s3.Client

	cmd     *exec.Cmd
	buckets atomic.Int64
}

// Binary returns the path of the versitygw binary: on PATH, else in
// GOPATH/bin, where `go install` puts it; "" when it is in neither.
func Binary() string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	p := filepath.Join(build.Default.GOPATH, "bin", "versitygw")
	if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
		return p
	}
	return ""
}

// Start runs a versitygw on a free loopback port over a temp folder for
// the rest of t, and sets the AWS environment (credentials, region, no
// instance metadata) so that lockstep, in process or as a child, reaches
// it through the standard AWS chain. It skips t when versitygw is not
// installed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skipf("versitygw (a real S3 server) is not installed; install it with: %s", Install)
	}
	for _, kv := range Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	var lastErr error
	for range 3 { // another process may take the port between probe and start
		s, err := start(t, bin)
		if err == nil {
			return s
		}
		lastErr = err
	}
	t.Fatalf("start versitygw: %v", lastErr)
	return nil
}

// Env is the AWS environment that reaches a Server with its root
// credentials: for a lockstep child process (append to os.Environ()).
func Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + SecretKey,
		"AWS_REGION=" + Region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
	}
}

func start(t testing.TB, bin string) (*Server, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	root := t.TempDir()
	logFile, err := os.Create(filepath.Join(t.TempDir(), "versitygw.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "--port", addr, "--access", AccessKey, "--secret", SecretKey,
		"--region", Region, "--quiet", "posix", root)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s := &Server{Endpoint: "http://" + addr, cmd: cmd}
	s.Client = NewClient(s.Endpoint)
	stop := func() {
		cmd.Process.Kill()
		<-exited
	}
	if err := s.waitReady(exited); err != nil {
		stop()
		log, _ := os.ReadFile(logFile.Name())
		return nil, fmt.Errorf("%w; its output: %s", err, strings.TrimSpace(string(log)))
	}
	t.Cleanup(stop)
	return s, nil
}

// freePort returns a loopback address no one listens on right now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady polls the server with ListBuckets until it answers.
func (s *Server) waitReady(exited <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := s.Client.ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		if err == nil {
			return nil
		}
		select {
		case werr := <-exited:
			return fmt.Errorf("versitygw exited: %v", werr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("versitygw at %s did not answer within 30s: %w", s.Endpoint, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NewClient returns an S3 client of endpoint with the root credentials,
// path-style, as a test's own tool (not lockstep's client).
func NewClient(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
		HTTPClient:   &http.Client{Timeout: time.Minute},
	})
}

// Bucket creates a new, empty bucket through the S3 API and returns its
// name.
func (s *Server) Bucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("lockstep-test-%d", s.buckets.Add(1))
	if _, err := s.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// URL returns the lockstep store URL of prefix in bucket on this server.
func (s *Server) URL(bucket, prefix string) string {
	q := url.Values{"endpoint": {s.Endpoint}, "region": {Region}}
	return "s3://" + bucket + "/" + strings.Trim(prefix, "/") + "?" + q.Encode()
}

// Alter replaces the bytes of the object at key in bucket with mutate's
// result, as a failing disk or an attacker with access to the bucket
// would.
func (s *Server) Alter(bucket, key string, mutate func([]byte) []byte) error {
	ctx := context.Background()
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, 1<<30))
	if err != nil {
		return err
	}
	_, err = s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(mutate(data)),
	})
	return err
}

// Remove deletes the object at key in bucket behind lockstep's back.
func (s *Server) Remove(bucket, key string) error {
	_, err := s.Client.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err
}
