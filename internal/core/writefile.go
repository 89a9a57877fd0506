package core

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteOptions say how WriteAtomic writes a file.
type WriteOptions struct {
	// Perm is the file's permission bits.
	Perm os.FileMode
	// TempDir holds the temp file while it is written; "" means the
	// target's own folder. It must be on the target's filesystem.
	TempDir string
	// NoReplace fails (with an error wrapping fs.ErrExist) when the
	// target exists, instead of replacing it: for files such as private
	// keys that must never be overwritten.
	NoReplace bool
}

// WriteAtomic writes path durably and all at once: fill writes the bytes
// to a temp file through a buffer, which is flushed, given its mode,
// fsynced and renamed (or, with NoReplace, linked) into place, and the
// folder is fsynced. Readers see the old file or the new one, never part
// of either; on failure path is as it was and no temp file remains.
func WriteAtomic(path string, opts WriteOptions, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmpDir := opts.TempDir
	if tmpDir == "" {
		tmpDir = dir
	}
	f, err := os.CreateTemp(tmpDir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	renamed := false
	defer func() {
		if err != nil {
			f.Close()
			err = fmt.Errorf("write %s: %w", path, err)
		}
		if err != nil || opts.NoReplace || !renamed {
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err = fill(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(opts.Perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if opts.NoReplace {
		err = os.Link(f.Name(), path)
	} else {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return err
	}
	renamed = true
	return SyncDir(dir)
}

// WriteFileAtomic is WriteAtomic of b, replacing any file at path.
func WriteFileAtomic(path string, b []byte, perm os.FileMode) error {
	return WriteAtomic(path, WriteOptions{Perm: perm}, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// SyncDir fsyncs a folder, so that a rename or link in it survives a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
