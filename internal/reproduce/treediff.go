package reproduce

import (
	"fmt"

	"lockstep.dev/lockstep/internal/core"
)

// File changes.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// DiffTrees lists the paths added, removed or changed from tree a to tree
// b, in path order. A file whose bytes are the same but whose mode, kind or
// link target differs is changed too.
func DiffTrees(a, b *core.Tree) []FileChange {
	var out []FileChange
	i, j := 0, 0
	for i < len(a.Entries) || j < len(b.Entries) {
		switch {
		case j >= len(b.Entries) || i < len(a.Entries) && a.Entries[i].Path < b.Entries[j].Path:
			e := a.Entries[i]
			out = append(out, FileChange{Path: e.Path, Change: Removed, From: e.Digest})
			i++
		case i >= len(a.Entries) || b.Entries[j].Path < a.Entries[i].Path:
			e := b.Entries[j]
			out = append(out, FileChange{Path: e.Path, Change: Added, To: e.Digest})
			j++
		default:
			x, y := a.Entries[i], b.Entries[j]
			if c, ok := entryChange(x, y); ok {
				out = append(out, c)
			}
			i++
			j++
		}
	}
	return out
}

// entryChange compares two entries at the same path.
func entryChange(x, y core.TreeEntry) (FileChange, bool) {
	c := FileChange{Path: x.Path, Change: Changed, From: x.Digest, To: y.Digest}
	switch {
	case x.Kind != y.Kind:
		c.Details = []string{fmt.Sprintf("%s -> %s", x.Kind, y.Kind)}
	case x.Target != y.Target:
		c.Details = []string{fmt.Sprintf("link %s -> %s", x.Target, y.Target)}
	case x.Digest != y.Digest:
		c.Details = []string{fmt.Sprintf("%d -> %d bytes", x.Size, y.Size)}
	case x.Mode != y.Mode:
		c.Details = []string{fmt.Sprintf("mode %o -> %o", x.Mode, y.Mode)}
	default:
		return c, false
	}
	return c, true
}
