package store

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"lockstep.dev/lockstep/internal/core"
)

// fileJob is a regular file found by scanTree, to be hashed into entry idx.
type fileJob struct {
	idx  int
	path string
	key  fileKey
}

// scanner lists a directory for PutTree.
type scanner struct {
	filter  func(string, bool) bool
	links   LinkPolicy
	entries []core.TreeEntry
	jobs    []fileJob
}

// scanTree lists the directory dir: tree entries (files still without
// digests) and the files to hash. It refuses what a tree cannot hold.
func scanTree(dir string, opts TreeOptions) ([]core.TreeEntry, []fileJob, error) {
	dir, err := filepath.EvalSymlinks(dir) // a symlinked root is followed
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
	sc := &scanner{filter: opts.Filter, links: opts.ExternalLinks, entries: []core.TreeEntry{}} // an empty directory is "entries":[]
	if _, err := sc.scanDir(dir, ""); err != nil {
		return nil, nil, err
	}
	return sc.entries, sc.jobs, nil
}

// scanDir adds what lies under the directory p (rel is its path in the
// tree, "" for the root) and reports whether it added anything; a
// directory that adds nothing is recorded as an empty directory. Files are
// stat'ed relative to the open directory, which saves the kernel walking
// the whole path again for each.
func (sc *scanner) scanDir(p, rel string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	des, err := f.ReadDir(-1)
	if err != nil {
		return false, err
	}
	fd := int(f.Fd())
	added := false
	for _, de := range des {
		name, child := de.Name(), filepath.Join(p, de.Name())
		childRel := path.Join(rel, name)
		if !utf8.ValidString(name) {
			return false, fmt.Errorf("%s: file name is not valid UTF-8; rename it or leave it out with a filter", child)
		}
		if sc.filter != nil && !sc.filter(childRel, de.IsDir()) {
			continue
		}
		added = true
		switch t := de.Type(); {
		case t.IsDir():
			sub, err := sc.scanDir(child, childRel)
			if err != nil {
				return false, err
			}
			if !sub {
				sc.entries = append(sc.entries, core.TreeEntry{Path: childRel, Kind: core.KindDir, Mode: 0o755})
			}
		case t.IsRegular():
			var st unix.Stat_t
			if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return false, &os.PathError{Op: "lstat", Path: child, Err: err}
			}
			if st.Mode&unix.S_IFMT != unix.S_IFREG {
				return false, fmt.Errorf("%s changed while the directory was being read; try again", child)
			}
			sc.jobs = append(sc.jobs, fileJob{idx: len(sc.entries), path: child, key: keyOfStat(&st)})
			sc.entries = append(sc.entries, core.TreeEntry{Path: childRel, Kind: core.KindFile, Mode: fileMode(st.Mode)})
		case t&fs.ModeSymlink != 0:
			target, err := os.Readlink(child)
			if err != nil {
				return false, err
			}
			if err := checkLink(childRel, target); err != nil {
				if sc.links == LinkCopy {
					sc.copyLinked(child, childRel)
					continue
				}
				return false, fmt.Errorf("%s: %w", child, err)
			}
			sc.entries = append(sc.entries, core.TreeEntry{Path: childRel, Kind: core.KindSymlink, Mode: 0o777, Target: target})
		default:
			return false, fmt.Errorf("%s is a %s; a tree holds only regular files, symlinks and directories: remove it or leave it out with a filter",
				child, typeName(t))
		}
	}
	return added, nil
}

// fileMode normalises a file's permissions as git does: 0755 when its
// owner may execute it, else 0644.
func fileMode(m uint32) uint32 {
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

// copyLinked records the regular file an external symlink points to as a
// file of the tree (LinkCopy); links to anything else are left out.
func (sc *scanner) copyLinked(child, rel string) {
	target, err := filepath.EvalSymlinks(child)
	if err != nil {
		return
	}
	var st unix.Stat_t
	if unix.Stat(target, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return
	}
	sc.jobs = append(sc.jobs, fileJob{idx: len(sc.entries), path: target, key: keyOfStat(&st)})
	sc.entries = append(sc.entries, core.TreeEntry{Path: rel, Kind: core.KindFile, Mode: fileMode(st.Mode)})
}
