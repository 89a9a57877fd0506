package core

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// TreeType is the "type" field of every tree manifest.
const TreeType = "lockstep.tree/v1"

// Kinds of tree entries.
const (
	KindFile    = "file"
	KindSymlink = "symlink"
	KindDir     = "dir" // only written for empty directories
)

// Tree is the canonical manifest of a directory: every file with its path,
// mode, size and digest, sorted by path. Stored as canonical JSON, its digest
// names the directory.
type Tree struct {
	Type    string      `json:"type"`
	Entries []TreeEntry `json:"entries"`
}

// TreeEntry is one file, symlink or empty directory of a Tree.
type TreeEntry struct {
	// Path is slash-separated and relative to the tree's root.
	Path string `json:"path"`
	// Kind is KindFile, KindSymlink or KindDir.
	Kind string `json:"kind"`
	// Mode holds the permission bits (0644, 0755...).
	Mode uint32 `json:"mode"`
	// Size is the file's length in bytes (0 for links and directories).
	Size int64 `json:"size"`
	// Digest names the file's bytes (files only).
	Digest Digest `json:"digest,omitempty"`
	// Target is where a symlink points (symlinks only).
	Target string `json:"target,omitempty"`
}

// NewTree returns a tree of entries, sorted. A tree without entries encodes
// them as [] (never null), so an empty directory has one digest.
func NewTree(entries []TreeEntry) *Tree {
	if entries == nil {
		entries = []TreeEntry{}
	}
	t := &Tree{Type: TreeType, Entries: entries}
	t.Sort()
	return t
}

// Sort orders entries by path, bytewise.
func (t *Tree) Sort() {
	slices.SortFunc(t.Entries, func(a, b TreeEntry) int { return strings.Compare(a.Path, b.Path) })
}

// Size returns the total bytes of the tree's files.
func (t *Tree) Size() int64 {
	var n int64
	for _, e := range t.Entries {
		n += e.Size
	}
	return n
}

// Lookup returns the entry at path p, if any.
func (t *Tree) Lookup(p string) (TreeEntry, bool) {
	i := sort.Search(len(t.Entries), func(i int) bool { return t.Entries[i].Path >= p })
	if i < len(t.Entries) && t.Entries[i].Path == p {
		return t.Entries[i], true
	}
	return TreeEntry{}, false
}

// Validate checks a tree read from untrusted bytes: the type, sorted unique
// clean relative paths (no "..", no absolute paths), known kinds and
// well-formed digests. Symlink targets must stay inside the tree.
func (t *Tree) Validate() error {
	if t.Type != TreeType {
		return fmt.Errorf("tree: type %q, want %q", t.Type, TreeType)
	}
	for i, e := range t.Entries {
		if err := ValidRelPath(e.Path); err != nil {
			return fmt.Errorf("tree entry %d: %w", i, err)
		}
		if i > 0 && t.Entries[i-1].Path >= e.Path {
			return fmt.Errorf("tree entry %d %q: entries not sorted or duplicated", i, e.Path)
		}
		switch e.Kind {
		case KindFile:
			if !e.Digest.Valid() {
				return fmt.Errorf("tree entry %q: bad digest %q", e.Path, e.Digest)
			}
			if e.Size < 0 {
				return fmt.Errorf("tree entry %q: negative size", e.Path)
			}
		case KindSymlink:
			if path.IsAbs(e.Target) {
				return fmt.Errorf("tree entry %q: symlink to absolute path %q", e.Path, e.Target)
			}
			if ValidRelPath(path.Join(path.Dir(e.Path), e.Target)) != nil {
				return fmt.Errorf("tree entry %q: symlink %q points outside the tree", e.Path, e.Target)
			}
		case KindDir:
		default:
			return fmt.Errorf("tree entry %q: unknown kind %q", e.Path, e.Kind)
		}
		if e.Mode&^0o7777 != 0 {
			return fmt.Errorf("tree entry %q: mode %o has more than permission bits", e.Path, e.Mode)
		}
	}
	return t.CheckLinks()
}

// ValidRelPath reports whether p is a clean, slash-separated path inside a
// tree: not empty, not absolute, no "." or ".." components, no NUL bytes.
func ValidRelPath(p string) error {
	switch {
	case p == "" || p == ".":
		return fmt.Errorf("empty path")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("path %q is absolute", p)
	case strings.ContainsRune(p, 0):
		return fmt.Errorf("path %q contains a NUL byte", p)
	case path.Clean(p) != p:
		return fmt.Errorf("path %q is not clean", p)
	case p == ".." || strings.HasPrefix(p, "../"):
		return fmt.Errorf("path %q leaves the tree", p)
	}
	return nil
}
