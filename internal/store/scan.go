package store

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"unicode/utf8"

	"lockstep.dev/lockstep/internal/core"
)

// TreeOptions tune PutTree.
type TreeOptions struct {
	// Filter, if not nil, is asked about every path under the directory
	// (slash-separated, relative to it); returning false leaves the path
	// out, and for a directory everything under it too.
	Filter func(rel string, isDir bool) bool
	// Progress, if not nil, is called from worker goroutines with the
	// number of bytes hashed since its last call.
	Progress func(bytesHashed int64)
	// Move ingests files by renaming them into the store instead of
	// copying them; the directory is left without its files. A file on
	// another file system, or with other hardlinks, is copied instead.
	// Meant for task outputs that lockstep owns: if PutTree fails, files
	// not yet moved stay where they were but may have been made read-only.
	Move bool
}

// fileJob is a regular file found by scanTree, to be hashed into entry idx.
type fileJob struct {
	idx  int
	path string
	info os.FileInfo
}

// scanTree lists the directory dir: tree entries (files still without
// digests) and the files to hash. It refuses what a tree cannot hold.
func scanTree(dir string, filter func(string, bool) bool) ([]core.TreeEntry, []fileJob, error) {
	dir, err := filepath.EvalSymlinks(dir) // WalkDir does not follow a symlinked root
	if err != nil {
		return nil, nil, err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, nil, err
	}
	if !fi.IsDir() {
		return nil, nil, fmt.Errorf("%s is not a directory", dir)
	}
	entries := []core.TreeEntry{} // an empty directory is "entries":[]
	var jobs []fileJob
	var dirs []string
	nonEmpty := map[string]bool{}
	err = filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		r, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(r)
		if !utf8.ValidString(rel) {
			return fmt.Errorf("%s: file name is not valid UTF-8; rename it or leave it out with a filter", p)
		}
		if filter != nil && !filter(rel, de.IsDir()) {
			if de.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		nonEmpty[path.Dir(rel)] = true
		switch t := de.Type(); {
		case t.IsDir():
			dirs = append(dirs, rel)
		case t.IsRegular():
			info, err := de.Info()
			if err != nil {
				return err
			}
			jobs = append(jobs, fileJob{idx: len(entries), path: p, info: info})
			entries = append(entries, core.TreeEntry{Path: rel, Kind: core.KindFile, Mode: fileMode(info.Mode())})
		case t&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := checkLink(rel, target); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			entries = append(entries, core.TreeEntry{Path: rel, Kind: core.KindSymlink, Mode: 0o777, Target: target})
		default:
			return fmt.Errorf("%s is a %s; a tree holds only regular files, symlinks and directories: remove it or leave it out with a filter",
				p, typeName(t))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, d := range dirs {
		if !nonEmpty[d] {
			entries = append(entries, core.TreeEntry{Path: d, Kind: core.KindDir, Mode: 0o755})
		}
	}
	return entries, jobs, nil
}

// fileMode normalises a file's permissions as git does: 0755 when its
// owner may execute it, else 0644.
func fileMode(m fs.FileMode) uint32 {
	if m&0o100 != 0 {
		return 0o755
	}
	return 0o644
}

// checkLink refuses a symlink at rel whose target is absolute or leaves
// the tree.
func checkLink(rel, target string) error {
	if path.IsAbs(target) {
		return fmt.Errorf("symlink to absolute path %q; a tree may only hold relative links that stay inside it", target)
	}
	if core.ValidRelPath(path.Join(path.Dir(rel), target)) != nil {
		return fmt.Errorf("symlink to %q points outside the tree; a tree may only hold relative links that stay inside it", target)
	}
	return nil
}

// typeName names a file type for error messages.
func typeName(t fs.FileMode) string {
	switch {
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case t&fs.ModeCharDevice != 0:
		return "character device"
	case t&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
