package store

import "lockstep.dev/lockstep/internal/core"

// checkLinks refuses a tree with a symlink that resolves outside it, even
// through a chain of the tree's own links (core.Tree.CheckLinks).
func checkLinks(t *core.Tree) error { return t.CheckLinks() }
