// Package lock provides the store-wide reader/writer lock: every run holds
// it shared for its lifetime, gc holds it exclusively, so gc never removes an
// object a run in progress may still read or write. The lock is an flock(2)
// on a file, so a killed process releases it at once.
package lock

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Lock is a held lock; Unlock releases it.
type Lock struct{ f *os.File }

// Shared takes the lock in shared mode, waiting while an exclusive holder
// (gc) has it. Any number of runs hold it together.
func Shared(ctx context.Context, path string) (*Lock, error) {
	return take(ctx, path, unix.LOCK_SH)
}

// Exclusive takes the lock alone, waiting until every shared holder has
// released it. waiting is called once if the lock is not free at first.
func Exclusive(ctx context.Context, path string, waiting func()) (*Lock, error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, err
	}
	if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
		return &Lock{f}, nil
	}
	if waiting != nil {
		waiting()
	}
	f.Close()
	return take(ctx, path, unix.LOCK_EX)
}

func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	return f, nil
}

// take polls a non-blocking flock so that ctx cancellation is honoured.
func take(ctx context.Context, path string, how int) (*Lock, error) {
	f, err := openLockFile(path)
	if err != nil {
		return nil, err
	}
	for delay := 5 * time.Millisecond; ; delay = min(delay*2, 200*time.Millisecond) {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		if err == nil {
			return &Lock{f}, nil
		}
		if err != unix.EWOULDBLOCK && err != unix.EINTR {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, ctx.Err())
		case <-time.After(delay):
		}
	}
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
