package store

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// counter is an int64 updated atomically.
type counter struct{ n atomic.Int64 }

func (c *counter) add(n int64) { c.n.Add(n) }
func (c *counter) load() int64 { return c.n.Load() }

// syncDir fsyncs a directory so that renames and new names in it survive a
// crash.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

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

// writebackMin is the size from which a temp file that will be synced
// later (by PutTree's syncfs) is handed to the disk as soon as it is
// written: the disk then works while other files are hashed, and the
// syncfs finds little left to do. Smaller files cost more in the extra
// call than they gain.
const writebackMin = 256 << 10

// startWriteback asks the kernel to start writing f's dirty pages to disk
// without waiting for them (sync_file_range SYNC_FILE_RANGE_WRITE, as
// git's batch fsync mode does). It makes nothing durable by itself, so
// errors are ignored: the syncfs that follows reports them.
func startWriteback(f *os.File) {
	_ = unix.SyncFileRange(int(f.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
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
	return syncDir(filepath.Dir(path))
}
