package task

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/sandbox"
	"lockstep.dev/lockstep/internal/store"
)

// archiveDirs lists the directories an environment archive holds: the
// toolchain the sandbox exposes (interpreter prefixes, a virtual
// environment), the flow's environment.paths, and the interpreter's
// sys.path folders outside the system set. Folders inside another listed
// folder are left out. The system set (/usr, /lib, …) is not archived.
func archiveDirs(toolchain, extra []string, env *capture.Environment) []string {
	cands := append(append([]string{}, toolchain...), extra...)
	if env != nil && env.Interpreter != nil {
		cands = append(cands, env.Interpreter.Paths...)
	}
	var dirs []string
	for _, d := range cands {
		if d = filepath.Clean(d); filepath.IsAbs(d) && !underSystem(d) {
			dirs = append(dirs, d)
		}
	}
	sort.Strings(dirs)
	var out []string
	for _, d := range dirs {
		if len(out) > 0 && (d == out[len(out)-1] || strings.HasPrefix(d, out[len(out)-1]+"/")) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// underSystem reports whether a folder is part of the read-only system set
// every sandbox sees.
func underSystem(dir string) bool {
	for _, b := range sandbox.SystemBinds() {
		src := b.Src
		if dir == src || strings.HasPrefix(dir, src+"/") {
			return true
		}
	}
	return false
}

// archive stores each directory as a tree. An unchanged toolchain is nearly
// free the second time: the store's hash cache skips files whose device,
// inode, size and times are unchanged.
func archive(ctx context.Context, st *store.Store, dirs []string) (map[string]core.Digest, error) {
	out := make(map[string]core.Digest, len(dirs))
	for _, d := range dirs {
		digest, _, err := st.PutTree(ctx, d, store.TreeOptions{ExternalLinks: store.LinkCopy})
		if err != nil {
			return nil, fmt.Errorf("archive %s: %w", d, err)
		}
		out[d] = digest
	}
	return out, nil
}

// restoreBinds materialises archived trees and returns the binds that mount
// them at their original paths.
func restoreBinds(ctx context.Context, st *store.Store, work string, restore map[string]core.Digest) ([]sandbox.Bind, error) {
	paths := make([]string, 0, len(restore))
	for p := range restore {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var binds []sandbox.Bind
	for _, p := range paths {
		dir, err := sharedTree(ctx, st, work, restore[p])
		if err != nil {
			return nil, fmt.Errorf("restore %s: %w", p, err)
		}
		binds = append(binds, sandbox.Bind{Src: dir, Dst: p})
	}
	return binds, nil
}
