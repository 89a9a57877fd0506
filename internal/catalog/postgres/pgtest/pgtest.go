// Package pgtest starts a real PostgreSQL server for tests: Debian's
// postgresql-15 binaries (initdb, then postgres itself) in a temporary
// folder, listening on a free loopback port, with no root needed. One
// server serves a whole test binary; each test gets a fresh database on it.
//
// A test binary that uses it calls Main from TestMain, so the server is
// stopped and its folder removed when the tests end; the server also dies
// with the test binary if that is killed (it is the binary's child, with a
// parent-death signal). Tests skip, saying what to install, only when the
// binaries are absent. initdb refuses to run as root, so under root the
// server runs as the unprivileged user nobody.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BinDirEnv names a folder of PostgreSQL binaries to use instead of the
// Debian default.
const BinDirEnv = "LOCKSTEP_PG_BIN"

// defaultBinDir is where Debian's postgresql-15 package puts the server.
const defaultBinDir = "/usr/lib/postgresql/15/bin"

// User is the superuser of the test server; it logs in without a password
// from loopback.
const User = "lockstep"

// Server is a running PostgreSQL server of the tests.
type Server struct {
	bin  string
	dir  string // data folder, socket and log live under it
	port int
	cred *syscall.Credential // nil: run as ourselves

	mu     sync.Mutex
	proc   *os.Process // nil while stopped
	exited chan error  // receives the server's exit
	log    *os.File
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
	databases  atomic.Int64
)

// Main runs the tests of m and then stops the shared server, if one was
// started: call it from TestMain as os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.remove()
	}
	return code
}

// Shared returns the server of this test binary, starting it on first use.
// It skips tb when the PostgreSQL binaries are absent and fails it when
// they are there but the server does not start.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	bin := binDir()
	if _, err := os.Stat(filepath.Join(bin, "postgres")); err != nil {
		tb.Skipf("PostgreSQL binaries not found in %s (install the Debian package postgresql-15, or set %s to a folder holding initdb and postgres): %v",
			bin, BinDirEnv, err)
	}
	sharedOnce.Do(func() { shared, sharedErr = start(bin) })
	if sharedErr != nil {
		tb.Fatalf("start PostgreSQL: %v", sharedErr)
	}
	return shared
}

// FreshURL creates an empty database on the shared server and returns its
// URL, postgres://lockstep@127.0.0.1:PORT/NAME?sslmode=disable.
func FreshURL(tb testing.TB) string {
	tb.Helper()
	s := Shared(tb)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), databases.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		tb.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	return s.URL(name)
}

// URL is the URL of database name on the server.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", User, s.port, name)
}

// Stop shuts the server down fast (SIGINT: sessions are ended, their
// transactions rolled back) and waits until it is gone.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return nil
	}
	_ = s.proc.Signal(syscall.SIGINT)
	err := <-s.exited
	s.proc = nil
	s.log.Close()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil // a signalled shutdown may exit non-zero
	}
	return err
}

// Start starts a stopped server again on the same folder and port and
// waits until it accepts connections.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return nil
	}
	return s.run()
}

// Restart stops the server and starts it again, as an administrator's
// restart does: every open session is cut.
func (s *Server) Restart() error {
	if err := s.Stop(); err != nil {
		return err
	}
	return s.Start()
}

// start makes a new cluster in a temporary folder and starts a server on it.
func start(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "lockstep-pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		if s.cred, err = unprivileged(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", s.data(), "-U", User, "-A", "trust",
		"-E", "UTF8", "--locale", "C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGKILL}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Another process may take the free port before the server binds it:
	// try a new one then.
	for attempt := 1; ; attempt++ {
		if s.port, err = freePort(); err == nil {
			if err = s.run(); err == nil {
				return s, nil
			}
		}
		if attempt == 3 {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

// run starts postgres on the cluster and waits for it; s.mu is held.
func (s *Server) run() error {
	log, err := os.OpenFile(filepath.Join(s.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	// Durability is not under test here; speed is welcome.
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", s.data(), "-h", "127.0.0.1",
		"-p", strconv.Itoa(s.port), "-k", s.dir, "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB")
	cmd.Stdout, cmd.Stderr, cmd.Dir = log, log, s.dir
	// The server dies with the test binary, even if that is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, s.URL("postgres"))
		if err == nil {
			conn.Close(ctx)
			cancel()
			break
		}
		cancel()
		select {
		case werr := <-exited:
			log.Close()
			tail, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
			return fmt.Errorf("postgres exited (%v): %s", werr, lastLines(string(tail), 10))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			log.Close()
			return fmt.Errorf("postgres did not accept connections within a minute: %v", err)
		}
	}
	s.proc, s.exited, s.log = cmd.Process, exited, log
	return nil
}

// data is the cluster's data folder.
func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// remove stops the server and deletes its folder.
func (s *Server) remove() {
	_ = s.Stop()
	os.RemoveAll(s.dir)
}

// unprivileged is the credential of user nobody, for initdb and postgres,
// which refuse to run as root.
func unprivileged() (*syscall.Credential, error) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no user nobody to run PostgreSQL as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// binDir is the folder of the PostgreSQL binaries.
func binDir() string {
	if d := os.Getenv(BinDirEnv); d != "" {
		return d
	}
	return defaultBinDir
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
