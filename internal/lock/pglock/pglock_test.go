package pglock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog/postgres/pgtest"
	"lockstep.dev/lockstep/internal/lock"
)

// holderEnv, when set to "URL shared|exclusive", makes the test binary a
// separate process (another host, as far as the lock can tell) that takes
// the lock, says "held" and keeps it until it is killed.
const holderEnv = "LOCKSTEP_PGLOCK_TEST_HOLDER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(holderEnv); spec != "" {
		url, mode, _ := strings.Cut(spec, " ")
		l := New(url)
		var err error
		if mode == "exclusive" {
			_, err = l.Exclusive(context.Background(), nil)
		} else {
			_, err = l.Shared(context.Background())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("held")
		io.Copy(io.Discard, os.Stdin) // until killed
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m))
}

// holder starts a process that holds the lock at url in mode and returns
// it once it holds it.
func holder(t *testing.T, url, mode string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holderEnv+"="+url+" "+mode)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "held\n" {
		t.Fatalf("holder process: %q, %v", line, err)
	}
	return cmd
}

// mustWait fails t unless taking the lock with take gives up when its
// short context ends, as it must while another process holds the lock.
func mustWait(t *testing.T, what string, take func(ctx context.Context) (lock.Held, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if h, err := take(ctx); err == nil {
		h.Unlock()
		t.Fatalf("%s taken while another process holds the lock", what)
	}
}

func TestARunOnAnotherHostHoldsOffGC(t *testing.T) {
	url := pgtest.FreshURL(t)
	run := holder(t, url, "shared")
	l := New(url)
	// Other runs share it.
	s, err := l.Shared(context.Background())
	if err != nil {
		t.Fatal("a second shared holder:", err)
	}
	s.Unlock()
	waited := false
	mustWait(t, "gc's exclusive lock", func(ctx context.Context) (lock.Held, error) {
		return l.Exclusive(ctx, func() { waited = true })
	})
	if !waited {
		t.Error("Exclusive did not say it waits")
	}
	// The run's process dies without unlocking: its session ends and the
	// server frees the lock.
	run.Process.Kill()
	run.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	x, err := l.Exclusive(ctx, nil)
	if err != nil {
		t.Fatalf("gc after the run's process was killed: %v", err)
	}
	defer x.Unlock()
	if x.Err() != nil {
		t.Errorf("Err() of a lock held: %v", x.Err())
	}
}

func TestGCOnAnotherHostHoldsOffRuns(t *testing.T) {
	url := pgtest.FreshURL(t)
	gc := holder(t, url, "exclusive")
	l := New(url)
	mustWait(t, "a run's shared lock", l.Shared)
	mustWait(t, "a second exclusive lock", func(ctx context.Context) (lock.Held, error) { return l.Exclusive(ctx, nil) })
	gc.Process.Kill()
	gc.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := l.Shared(ctx)
	if err != nil {
		t.Fatalf("a run after gc's process was killed: %v", err)
	}
	s.Unlock()
}

// TestASharedHolderSurvivesARestartUnlessGCRanMeanwhile cuts a run's
// session by restarting the server. With no gc in between, the run takes
// its lock back and carries on; with a gc in between, its lock is lost.
func TestASharedHolderSurvivesARestartUnlessGCRanMeanwhile(t *testing.T) {
	url := pgtest.FreshURL(t)
	srv := pgtest.Shared(t)
	l := New(url)
	l.Interval = time.Hour // the test calls check itself
	h, err := l.Shared(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Unlock()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	h.(*held).check()
	if err := h.Err(); err != nil {
		t.Fatalf("after a restart with no gc: %v", err)
	}
	mustWait(t, "gc's lock while the run holds it again", func(ctx context.Context) (lock.Held, error) { return l.Exclusive(ctx, nil) })

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	x, err := l.Exclusive(context.Background(), nil) // gc, while the run's session is gone
	if err != nil {
		t.Fatal(err)
	}
	x.Unlock()
	h.(*held).check()
	err = h.Err()
	if !errors.Is(err, errTakenMeanwhile) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("after gc ran while the run's session was cut: %v, want one line saying the lock was lost", err)
	}
	t.Log(err)
	// The lost holder no longer holds anything: gc is free.
	x, err = l.Exclusive(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	x.Unlock()
}

func TestAnExclusiveHolderKnowsItLostTheLock(t *testing.T) {
	url := pgtest.FreshURL(t)
	l := New(url)
	l.Interval = 20 * time.Millisecond
	x, err := l.Exclusive(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Unlock()
	if err := pgtest.Shared(t).Restart(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for x.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if x.Err() == nil {
		t.Fatal("gc's lock survived a restart that ended its session")
	}
	t.Log(x.Err())
}

func TestUnreachableDatabaseFailsClearly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := New("postgres://lockstep:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=2").Shared(ctx)
	if err == nil || !strings.Contains(err.Error(), "store lock in postgres://lockstep:xxxxx@127.0.0.1:1/none") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("err = %v, want one naming the database without its password", err)
	}
}
