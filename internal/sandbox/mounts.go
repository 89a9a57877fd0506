package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// mount is one bubblewrap mount operation.
type mount struct {
	op  string // bwrap option: --ro-bind, --bind, --symlink, --tmpfs, --proc or --dev
	src string // host path, or link target for --symlink; "" for the rest
	dst string // path inside the sandbox
}

func (m mount) isBind() bool { return m.op == "--ro-bind" || m.op == "--bind" }

// args returns m as bwrap arguments.
func (m mount) args() []string {
	if m.src == "" {
		return []string{m.op, m.dst}
	}
	return []string{m.op, m.src, m.dst}
}

// layout plans the sandbox's file system for spec: the private /proc,
// /dev, /dev/shm and /tmp, the system set, /etc/resolv.conf when the step
// has network, then the caller's binds. Mounts are ordered parents first, so
// a bind may sit at any absolute path: bubblewrap creates missing mount
// points in the sandbox's own root, in a tmpfs, or in a writable bind (where
// the empty mount point then also appears on the host). A
// bind inside a read-only bind needs its mount point to exist there
// already; layout checks that and says so instead of letting bwrap fail.
func layout(spec Spec) ([]mount, error) {
	ms := []mount{{op: "--proc", dst: "/proc"}, {op: "--dev", dst: "/dev"}, {op: "--tmpfs", dst: "/dev/shm"}, {op: "--tmpfs", dst: "/tmp"}}
	ro := SystemBinds()
	if spec.Network {
		if _, err := os.Stat(resolvConf); err == nil {
			ro = append(ro, Bind{Src: resolvConf})
		}
	}
	ro = append(ro, spec.ReadOnly...)
	byDst := map[string]mount{}
	for _, set := range []struct {
		op    string
		binds []Bind
	}{{"--ro-bind", ro}, {"--bind", spec.Writable}} {
		for _, raw := range set.binds {
			_, system := systemLinks()[raw.Src]
			b, err := normalize(raw, system && (raw.Dst == "" || raw.Dst == raw.Src))
			if err != nil {
				return nil, err
			}
			m := mount{op: set.op, src: b.Src, dst: b.Dst}
			if old, ok := byDst[b.Dst]; ok {
				if old == m {
					continue
				}
				return nil, fmt.Errorf("bind %s on %s: %w: %s is already bound from %s (%s); give each a different destination", b.Src, b.Dst, ErrBadBind, b.Dst, old.src, old.op)
			}
			byDst[b.Dst] = m
		}
	}
	for _, m := range byDst {
		ms = append(ms, asSymlink(m, byDst))
	}
	sort.Slice(ms, func(i, j int) bool { return sortKey(ms[i].dst) < sortKey(ms[j].dst) })
	for i, m := range ms {
		if err := checkMountPoint(m, ms[:i]); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// sortKey orders paths so that a directory comes right before everything
// below it ("/a" < "/a/b" < "/a-b").
func sortKey(p string) string { return strings.ReplaceAll(p, "/", "\x00") }

// asSymlink turns a bind of a host symlink onto its own path, such as /bin
// -> usr/bin, into the same symlink when its target is bound at its own path
// too; the sandbox then looks like the host. Other binds are returned as is.
func asSymlink(m mount, byDst map[string]mount) mount {
	if m.src != m.dst {
		return m
	}
	link, system := systemLinks()[m.src]
	if !system {
		link = lookUpLink(m.src)
	}
	if !link.symlink {
		return m
	}
	for _, other := range byDst {
		if other.dst != m.dst && other.src == other.dst && within(link.resolved, other.dst) {
			return mount{op: "--symlink", src: link.target, dst: m.dst}
		}
	}
	return m
}

// checkMountPoint makes sure bwrap can create m's mount point given the
// mounts before it: the nearest enclosing mount must be the sandbox root, a
// tmpfs or a writable bind, or a read-only bind that already holds the path.
func checkMountPoint(m mount, before []mount) error {
	if !m.isBind() && m.op != "--symlink" {
		return nil
	}
	var parent *mount
	for i := range before {
		p := &before[i]
		if p.dst != m.dst && within(m.dst, p.dst) && (parent == nil || len(p.dst) > len(parent.dst)) {
			parent = p
		}
	}
	if parent == nil || parent.op == "--tmpfs" || parent.op == "--bind" {
		return nil
	}
	if parent.op == "--ro-bind" {
		rel, err := filepath.Rel(parent.dst, m.dst)
		if err != nil {
			return fmt.Errorf("mount %s inside %s: %w", m.dst, parent.dst, err)
		}
		if _, err := os.Lstat(filepath.Join(parent.src, rel)); err == nil {
			return nil
		}
		return fmt.Errorf("bind %s on %s: %w: it lies inside the read-only %s (from %s), which has no %s to mount on; create %s there or choose a destination outside %s",
			m.src, m.dst, ErrBadBind, parent.dst, parent.src, rel, filepath.Join(parent.src, rel), parent.dst)
	}
	return fmt.Errorf("bind %s on %s: %w: it lies inside %s (%s); choose a destination outside it", m.src, m.dst, ErrBadBind, parent.dst, parent.op)
}
