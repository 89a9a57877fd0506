package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// openPlain opens a regular file like os.OpenFile, without the attempt
// to register it with Go's network poller that os.OpenFile makes for
// every file (four fcntl calls and an epoll_ctl that fails for a regular
// file): ingest opens two files for every file it stores, and a
// 10,000-file tree paid 100,000 system calls for nothing. Use it only for
// regular files, which never block.
func openPlain(path string, flag int, perm fs.FileMode) (*os.File, error) {
	for {
		fd, err := unix.Open(path, flag|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}

// tempSeq makes createTemp's names differ within a process; the pid and
// the clock make them differ between processes.
var tempSeq atomic.Uint64

// createTemp creates a new file for reading and writing, readable by its
// owner only, in dir, named prefix followed by a unique suffix, like
// os.CreateTemp with a "*" at the end of the pattern (see openPlain).
func createTemp(dir, prefix string) (*os.File, error) {
	base := prefix + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	for try := 0; ; try++ {
		name := filepath.Join(dir, base+strconv.FormatUint(tempSeq.Add(1), 36))
		f, err := openPlain(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil || !errors.Is(err, fs.ErrExist) || try == 10000 {
			return f, err
		}
	}
}
