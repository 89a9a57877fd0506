package store

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"lockstep.dev/lockstep/internal/store/blobio"
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

// writeAtomic writes path through a temp file in tmpDir: fill calls
// write with a buffered writer, then the file is flushed, fsynced and
// renamed into place and the directory is fsynced. On error nothing is
// left behind and any earlier file at path is untouched.
func writeAtomic(path, tmpDir string, perm os.FileMode, fill func(w io.Writer) error) (err error) {
	f, err := os.CreateTemp(tmpDir, "write-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriter(f)
	if err = fill(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return blobio.SyncDir(filepath.Dir(path))
}
