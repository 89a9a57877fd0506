package store

import (
	"fmt"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// counter is an int64 updated atomically.
type counter struct{ n atomic.Int64 }

func (c *counter) add(n int64) { c.n.Add(n) }
func (c *counter) load() int64 { return c.n.Load() }

// syncFS flushes every dirty page of the file system holding path.
func syncFS(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("syncfs %s: %w", path, err)
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return fmt.Errorf("syncfs %s: %w", path, err)
	}
	return nil
}

// writeback starts writing ingested files back to disk on a goroutine of its
// own, as git's batch fsync mode does (sync_file_range
// SYNC_FILE_RANGE_WRITE): the call blocks while the disk's request queue
// is full, and the workers that filled the files should be hashing
// meanwhile. It makes nothing durable by itself; the syncfs that follows
// does, and reports write errors.
type writeback struct {
	files chan *os.File
	done  chan struct{}
	err   error // the first error closing a file; read after done
}

// newWriteback starts a writeback goroutine; call wait to end it.
func newWriteback() *writeback {
	w := &writeback{files: make(chan *os.File, 64), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for f := range w.files {
			_ = unix.SyncFileRange(int(f.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
			if err := f.Close(); err != nil && w.err == nil {
				w.err = err
			}
		}
	}()
	return w
}

// finish takes over the written file f: it is queued for writeback,
// which closes it.
func (w *writeback) finish(f *os.File) {
	w.files <- f
}

// wait ends the goroutine once every queued file is handed to the disk
// and closed, and returns the first error closing one.
func (w *writeback) wait() error {
	close(w.files)
	<-w.done
	return w.err
}
