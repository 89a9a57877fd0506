package core

import (
	"fmt"
	"path"
	"strings"
)

// maxLinkHops bounds how many symlinks one resolution may follow, as the
// kernel does (40); more means a loop.
const maxLinkHops = 40

// CheckLinks refuses a tree in which a symlink resolves, through other
// symlinks of the tree, to somewhere outside it. Checking each target on
// its own, lexically, is not enough: with "d/e/up" -> "../../d", the link
// "s" -> "d/e/up/../.." looks like "d" but the kernel resolves it to the
// tree's parent. Validate calls it.
func (t *Tree) CheckLinks() error {
	links := map[string]string{}
	for _, e := range t.Entries {
		if e.Kind == KindSymlink {
			links[e.Path] = e.Target
		}
	}
	for p, target := range links {
		if err := resolveInside(links, p, target); err != nil {
			return fmt.Errorf("symlink %s -> %q: %w", p, target, err)
		}
	}
	return nil
}

// resolveInside follows target, read in the directory of the symlink at
// p, through the tree's links and fails if it leaves the tree's root.
func resolveInside(links map[string]string, p, target string) error {
	var dir []string // resolved directory so far, never holding a symlink
	if d := path.Dir(p); d != "." {
		dir = strings.Split(d, "/")
	}
	todo := strings.Split(target, "/")
	hops := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
		case "..":
			if len(dir) == 0 {
				return fmt.Errorf("resolves outside the tree; a tree may only hold links that stay inside it")
			}
			dir = dir[:len(dir)-1]
		default:
			next := strings.Join(append(dir[:len(dir):len(dir)], c), "/")
			t, ok := links[next]
			if !ok {
				dir = append(dir, c)
				continue
			}
			if hops++; hops > maxLinkHops || path.IsAbs(t) {
				return fmt.Errorf("goes through a symlink loop or an absolute link")
			}
			todo = append(strings.Split(t, "/"), todo...)
		}
	}
	return nil
}
