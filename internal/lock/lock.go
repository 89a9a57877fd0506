// Package lock provides the store-wide reader/writer lock: every run holds
// it shared for its lifetime, gc holds it exclusively, so gc never removes an
// object a run in progress may still read or write.
//
// Locker is the interface a home hands out; File is the local
// implementation, an flock(2) on a file, so a killed process releases it at
// once. lock/pglock is the lock across hosts, for a team store: advisory
// locks in the catalog's PostgreSQL database, with a fencing epoch.
package lock

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Locker is a store-wide reader/writer lock. Any number of holders may
// share it; an exclusive holder has it alone. Both methods wait until the
// lock can be taken or ctx is done, and are safe to call from many
// goroutines and processes at once.
type Locker interface {
	// Shared takes the lock in shared mode, waiting while an exclusive
	// holder (gc) has it.
	Shared(ctx context.Context) (Held, error)
	// Exclusive takes the lock alone, waiting until every shared holder
	// has released it. waiting, if not nil, is called once if the lock is
	// not free at first, so the caller can say what it waits for.
	Exclusive(ctx context.Context, waiting func()) (Held, error)
}

// Held is a lock being held. Unlock releases it; calling Unlock again does
// nothing.
type Held interface {
	Unlock() error
	// Err is nil while the lock is held for sure. A lock kept on a server
	// can be lost (its session cut while an exclusive holder came and
	// went); Err then says so, and the holder must not trust that what it
	// wrote since it took the lock is still there: a run fails, gc stops.
	Err() error
}

// FileLock is the Locker of one lock file on the local file system.
type FileLock struct{ path string }

var _ Locker = FileLock{}

// File returns the flock(2) Locker on the file at path; the file is
// created when the lock is first taken.
func File(path string) FileLock { return FileLock{path: path} }

// Shared implements Locker.
func (l FileLock) Shared(ctx context.Context) (Held, error) {
	return l.take(ctx, unix.LOCK_SH)
}

// Exclusive implements Locker.
func (l FileLock) Exclusive(ctx context.Context, waiting func()) (Held, error) {
	f, err := l.open()
	if err != nil {
		return nil, err
	}
	if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
		return &heldFile{f}, nil
	}
	if waiting != nil {
		waiting()
	}
	f.Close()
	return l.take(ctx, unix.LOCK_EX)
}

func (l FileLock) open() (*os.File, error) {
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", l.path, err)
	}
	return f, nil
}

// take polls a non-blocking flock so that ctx cancellation is honoured.
func (l FileLock) take(ctx context.Context, how int) (Held, error) {
	f, err := l.open()
	if err != nil {
		return nil, err
	}
	for delay := 5 * time.Millisecond; ; delay = min(delay*2, 200*time.Millisecond) {
		err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		if err == nil {
			return &heldFile{f}, nil
		}
		if err != unix.EWOULDBLOCK && err != unix.EINTR {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", l.path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", l.path, ctx.Err())
		case <-time.After(delay):
		}
	}
}

// Err implements Held: a local flock is never lost while its file is open.
func (h *heldFile) Err() error { return nil }

// heldFile is a held flock; closing the file releases it.
type heldFile struct{ f *os.File }

// Unlock implements Held.
func (h *heldFile) Unlock() error {
	if h.f == nil {
		return nil
	}
	err := h.f.Close()
	h.f = nil
	return err
}
