package store

import (
	"context"
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

// knownDigest returns the digest the hash cache remembers for a file
// key, if the store still holds its object.
type knownDigest func(fileKey) (core.Digest, bool)

// scanner lists a directory tree for PutTree and HashTree.
type scanner struct {
	filter func(string, bool) bool
	links  LinkPolicy
	known  knownDigest // nil: every file is a job
}

// pendingDir is a directory still to list: its path on disk and in the
// tree ("" for the root).
type pendingDir struct{ path, rel string }

// dirListing is what one directory adds to a tree: its entries, the files
// among them still to hash (idx counts within entries), its
// subdirectories, and whether it added anything at all.
type dirListing struct {
	entries []core.TreeEntry
	jobs    []fileJob
	subdirs []pendingDir
	added   bool
}

// scanTree lists the directory dir: tree entries (files the hash cache
// knows, through known, with their digests; others still without) and
// the files to hash. It refuses what a tree cannot hold. Directories are
// listed in parallel, one level of the tree at a time; each worker stats
// its directory's files relative to the open directory (sparing the
// kernel a walk of every file's whole path) and asks known about them.
func scanTree(ctx context.Context, dir string, opts TreeOptions, known knownDigest) ([]core.TreeEntry, []fileJob, error) {
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
	sc := &scanner{filter: opts.Filter, links: opts.ExternalLinks, known: known}
	entries := []core.TreeEntry{} // an empty directory is "entries":[]
	var jobs []fileJob
	for level := []pendingDir{{path: dir}}; len(level) > 0; {
		listings := make([]dirListing, len(level))
		err := forEach(ctx, len(level), func(_ context.Context, i int) error {
			return sc.list(level[i], &listings[i])
		})
		if err != nil {
			return nil, nil, err
		}
		var next []pendingDir
		for i, l := range listings {
			for _, j := range l.jobs {
				j.idx += len(entries)
				jobs = append(jobs, j)
			}
			entries = append(entries, l.entries...)
			if !l.added && level[i].rel != "" {
				entries = append(entries, core.TreeEntry{Path: level[i].rel, Kind: core.KindDir, Mode: 0o755})
			}
			next = append(next, l.subdirs...)
		}
		level = next
	}
	return entries, jobs, nil
}

// list fills out with what the directory d holds; a directory that adds
// nothing is recorded (by scanTree) as an empty directory.
func (sc *scanner) list(d pendingDir, out *dirListing) error {
	f, err := os.Open(d.path)
	if err != nil {
		return err
	}
	defer f.Close()
	des, err := f.ReadDir(-1)
	if err != nil {
		return err
	}
	fd := int(f.Fd())
	for _, de := range des {
		name := de.Name()
		child, childRel := d.path+"/"+name, name
		if d.rel != "" {
			childRel = d.rel + "/" + name
		}
		if !utf8.ValidString(name) {
			return fmt.Errorf("%s: file name is not valid UTF-8; rename it or leave it out with a filter", child)
		}
		if sc.filter != nil && !sc.filter(childRel, de.IsDir()) {
			continue
		}
		out.added = true
		switch t := de.Type(); {
		case t.IsDir():
			out.subdirs = append(out.subdirs, pendingDir{path: child, rel: childRel})
		case t.IsRegular():
			var st unix.Stat_t
			if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return &os.PathError{Op: "lstat", Path: child, Err: err}
			}
			if st.Mode&unix.S_IFMT != unix.S_IFREG {
				return fmt.Errorf("%s changed while the directory was being read; try again", child)
			}
			sc.addFile(out, child, childRel, &st)
		case t&fs.ModeSymlink != 0:
			target, err := os.Readlink(child)
			if err != nil {
				return err
			}
			if err := checkLink(childRel, target); err != nil {
				if sc.links == LinkCopy {
					sc.copyLinked(out, child, childRel)
					continue
				}
				return fmt.Errorf("%s: %w", child, err)
			}
			out.entries = append(out.entries, core.TreeEntry{Path: childRel, Kind: core.KindSymlink, Mode: 0o777, Target: target})
		default:
			return fmt.Errorf("%s is a %s; a tree holds only regular files, symlinks and directories: remove it or leave it out with a filter",
				child, typeName(t))
		}
	}
	return nil
}

// addFile adds the regular file at path (rel in the tree), with the
// metadata st, to out: with its digest if the hash cache knows it, else
// as a job.
func (sc *scanner) addFile(out *dirListing, path, rel string, st *unix.Stat_t) {
	key := keyOfStat(st)
	e := core.TreeEntry{Path: rel, Kind: core.KindFile, Mode: fileMode(st.Mode)}
	if sc.known != nil {
		if d, ok := sc.known(key); ok {
			e.Digest, e.Size = d, key.size
			out.entries = append(out.entries, e)
			return
		}
	}
	out.jobs = append(out.jobs, fileJob{idx: len(out.entries), path: path, key: key})
	out.entries = append(out.entries, e)
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
func (sc *scanner) copyLinked(out *dirListing, child, rel string) {
	target, err := filepath.EvalSymlinks(child)
	if err != nil {
		return
	}
	var st unix.Stat_t
	if unix.Stat(target, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return
	}
	sc.addFile(out, target, rel, &st)
}
