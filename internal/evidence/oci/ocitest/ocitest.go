// Package ocitest starts a real OCI registry for tests, on a free loopback
// port over a temp folder, plain HTTP, no auth, for the rest of a test.
//
// Which registry serves the OCI 1.1 referrers API (GET
// /v2/NAME/referrers/DIGEST), checked by hand and by this package's tests:
//
//   - Referrers: go-containerregistry's registry (pkg/registry, as `crane
//     registry serve` runs it, with its referrers API switched on and blobs
//     on disk), served in this process. Referrers answers 200 with an image
//     index of the manifests whose subject is DIGEST. Its limits, which a
//     test must not mistake for a client's bug: the index gives each
//     referrer's config media type as its artifactType (not the manifest's
//     artifactType field), a push with a subject gets no OCI-Subject header
//     (clients find the API by asking it), and ?artifactType= is not
//     applied. Manifests live in memory; blobs under Root.
//   - TagFallback: Debian 12's docker-registry (CNCF distribution 2.8.2),
//     /usr/bin/docker-registry, started as a child process. Referrers
//     answers 404, so clients must keep the referrers tag schema
//     (sha256-HEX tags).
//   - DistributionV3: the CNCF distribution v3 `registry` (v3.1.2, the
//     newest release), started as a child process. Like 2.8 it has no
//     referrers API (404; the route is absent from its source), so it is a
//     second tag-fallback registry, the one most current deployments run.
//
// The two distribution registries keep blobs, manifests included, with the
// filesystem driver's layout, ROOT/docker/registry/v2/blobs/sha256/XX/HEX/data,
// and serve whatever bytes are there: a test alters a blob at BlobPath to
// play a tampered registry. go-containerregistry's registry keeps a blob at
// ROOT/sha256/HEX and re-hashes it on every read, answering 404 for a blob
// whose bytes no longer match.
//
// A test that starts a child-process registry is skipped, with the command
// that installs it, when its binary is absent; CI installs both
// (scripts/test-deps.sh, .ci/run), so there the tests run.
package ocitest

import (
	"errors"
	"fmt"
	"go/build"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"golang.org/x/crypto/bcrypt"
)

// Kind is which registry Start runs.
type Kind int

const (
	// Referrers is a registry that serves the OCI 1.1 referrers API.
	Referrers Kind = iota
	// TagFallback is Debian's distribution 2.8, without the referrers API.
	TagFallback
	// DistributionV3 is CNCF distribution v3, also without the referrers API.
	DistributionV3
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case Referrers:
		return "referrers (go-containerregistry)"
	case TagFallback:
		return "tag fallback (distribution 2.8)"
	case DistributionV3:
		return "distribution v3"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Install returns the command that installs the binary of a child-process
// kind; "" for Referrers, which runs in the test's process.
func (k Kind) Install() string {
	switch k {
	case TagFallback:
		return "apt-get install docker-registry (Debian 12: distribution 2.8.2)"
	case DistributionV3:
		return "go install github.com/distribution/distribution/v3/cmd/registry@v3.1.2"
	}
	return ""
}

// Binary returns the path of a child-process kind's binary, "" when it is
// not installed: docker-registry on PATH or in /usr/bin; registry on PATH
// or in GOPATH/bin, where `go install` puts it.
func (k Kind) Binary() string {
	var name, fallback string
	switch k {
	case TagFallback:
		name, fallback = "docker-registry", "/usr/bin/docker-registry"
	case DistributionV3:
		name, fallback = "registry", filepath.Join(build.Default.GOPATH, "bin", "registry")
	default:
		return ""
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if fi, err := os.Stat(fallback); err == nil && fi.Mode()&0o111 != 0 {
		return fallback
	}
	return ""
}

// versionMark is what a kind's binary prints in its --version line: a
// `registry` on PATH that is not distribution v3 is refused, not run.
func (k Kind) versionMark() string {
	if k == DistributionV3 {
		return "github.com/distribution/distribution/v3 v3."
	}
	return "github.com/docker/distribution 2."
}

// Registry is a running registry.
type Registry struct {
	// Host is where it listens, 127.0.0.1:PORT, plain HTTP.
	Host string
	// Kind is which registry it is.
	Kind Kind
	// Root is its storage folder.
	Root string
	// Version is the --version line of a child-process registry.
	Version string

	stop     func()
	stopOnce sync.Once
}

// Start runs a registry of kind on a free loopback port over a temp folder
// for the rest of t. It skips t when the kind's binary is not installed.
func Start(t testing.TB, kind Kind) *Registry {
	t.Helper()
	return start(t, kind, "")
}

// start is Start with extra configuration for a distribution registry.
func start(t testing.TB, kind Kind, extra string) *Registry {
	t.Helper()
	if kind == Referrers {
		r, err := startInProcess(t)
		if err != nil {
			t.Fatalf("start %s: %v", kind, err)
		}
		return r
	}
	bin := kind.Binary()
	if bin == "" {
		t.Skipf("%s (a real OCI registry) is not installed; install it with: %s", kind, kind.Install())
	}
	out, err := exec.Command(bin, "--version").Output()
	version := strings.TrimSpace(string(out))
	if err != nil || !strings.Contains(version, kind.versionMark()) {
		t.Fatalf("%s is not %s (its --version says %q, %v); install it with: %s", bin, kind, version, err, kind.Install())
	}
	var lastErr error
	for range 3 { // another process may take the port between probe and start
		r, err := startChild(t, kind, bin, extra)
		if err == nil {
			r.Version = version
			return r
		}
		lastErr = err
	}
	t.Fatalf("start %s: %v", kind, lastErr)
	return nil
}

// Stop ends the registry now (later calls do nothing): Host refuses
// connections from then on, as an unreachable registry does.
func (r *Registry) Stop() { r.stopOnce.Do(r.stop) }

// BlobPath returns the file in which the registry keeps the blob with
// digest ("sha256:HEX"); manifests pushed to a distribution registry are
// blobs too.
func (r *Registry) BlobPath(digest string) string {
	alg, hex, ok := strings.Cut(digest, ":")
	if !ok || len(hex) < 2 {
		panic(fmt.Sprintf("ocitest: %q is not a digest (want ALGORITHM:HEX)", digest))
	}
	if r.Kind == Referrers {
		return filepath.Join(r.Root, alg, hex)
	}
	return filepath.Join(r.Root, "docker", "registry", "v2", "blobs", alg, hex[:2], hex, "data")
}

// startInProcess serves go-containerregistry's registry, referrers API on,
// blobs in a temp folder.
func startInProcess(t testing.TB) (*Registry, error) {
	root := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: registry.New(
			registry.WithReferrersSupport(true),
			registry.WithBlobHandler(registry.NewDiskBlobHandler(root)),
			registry.Logger(log.New(io.Discard, "", 0)),
		),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	r := &Registry{Host: l.Addr().String(), Kind: Referrers, Root: root}
	r.stop = func() {
		srv.Close()
		<-served
	}
	if err := waitReady(r.Host, served); err != nil {
		r.Stop()
		return nil, err
	}
	t.Cleanup(r.Stop)
	return r, nil
}

// config is a distribution registry's configuration: filesystem storage
// in root, deletes on, no auth, no debug server, warnings and errors only.
const config = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %q
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: %q
  secret: lockstep-ocitest
`

// authConfig, appended to config, has the registry ask for a user and
// password from an htpasswd file (bcrypt), as a team's registry does.
const authConfig = `auth:
  htpasswd:
    realm: lockstep-ocitest
    path: %q
`

// StartWithLogin is Start for a distribution registry (TagFallback or
// DistributionV3) that answers 401 Unauthorized unless a request carries
// user and password.
func StartWithLogin(t testing.TB, kind Kind, user, password string) *Registry {
	t.Helper()
	if kind == Referrers {
		t.Fatalf("%s has no login; use a distribution registry", kind)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	htpasswd := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return start(t, kind, fmt.Sprintf(authConfig, htpasswd))
}

// startChild runs a distribution registry as a child process in its own
// process group, its configuration config followed by extra.
func startChild(t testing.TB, kind Kind, bin, extra string) (*Registry, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0") // a port free right now
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	root, dir := t.TempDir(), t.TempDir()
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, append(fmt.Appendf(nil, config, root, addr), extra...), 0o644); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "serve", cfg)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// No traces exported by distribution v3's OpenTelemetry set-up.
	cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none", "OTEL_SDK_DISABLED=true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	r := &Registry{Host: addr, Kind: kind, Root: root}
	r.stop = func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	if err := waitReady(addr, exited); err != nil {
		r.Stop()
		log, _ := os.ReadFile(logFile.Name())
		return nil, fmt.Errorf("%w; its output: %s", err, strings.TrimSpace(string(log)))
	}
	t.Cleanup(r.Stop)
	return r, nil
}

// waitReady polls GET /v2/ until it answers 200, for at most 30 s, or
// until the registry ends.
func waitReady(host string, ended <-chan error) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get("http://" + host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return nil // up (401: up, and asking for a login)
			}
			err = errors.New(resp.Status)
		}
		select {
		case werr := <-ended:
			return fmt.Errorf("registry at %s ended: %v", host, werr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("registry at %s did not answer GET /v2/ with 200 within 30s: %w", host, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
