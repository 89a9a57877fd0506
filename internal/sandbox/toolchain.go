package sandbox

import (
	"lockstep.dev/lockstep/internal/pyenv"

	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/shell"
)

// maxHops bounds how many shims and #! lines Toolchain follows for one name.
const maxHops = 8

// Toolchain returns the absolute host directories a confined step needs to
// see, read-only, to run the programs its shell command starts when PATH is
// path: for a Python interpreter its sys.prefix and sys.base_prefix (a
// virtual environment and the installation it was made from); for a pyenv
// shim, what the program `pyenv which` names needs; for a script, its own
// directory and what the interpreter on its #! line needs; for any other
// program outside the system set, the directory holding it. Programs under
// the system directories need nothing extra. The result is sorted, without
// duplicates and without directories inside one another. Names not found
// on path (shell built-ins, scripts of the code snapshot) are skipped.
//
// A shim itself is not exposed: the caller puts the bin directory of the
// interpreter's prefix on the step's PATH instead.
func Toolchain(command string, path string) ([]string, error) {
	names, err := programs(command)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, name := range names {
		exe := findProgram(name, path)
		if exe == "" {
			continue
		}
		found, err := programDirs(exe, path, maxHops)
		if err != nil {
			return nil, fmt.Errorf("toolchain of %q: %w", command, err)
		}
		dirs = append(dirs, found...)
	}
	return minimalDirs(dirs), nil
}

// programDirs returns the directories program exe needs, following shims
// and #! lines at most hops times.
func programDirs(exe, path string, hops int) ([]string, error) {
	if hops == 0 || systemCovers(exe) {
		return nil, nil
	}
	head, err := pyenv.Head(exe)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", exe, err)
	}
	if root, ok := pyenv.Shim(exe, head); ok {
		real, err := pyenvWhich(root, filepath.Base(exe), path)
		if err != nil {
			return nil, err
		}
		return programDirs(real, path, hops-1)
	}
	if pythonName.MatchString(filepath.Base(exe)) {
		return pythonPrefixes(exe, path)
	}
	if interp, ok := shebang(head); ok {
		if !strings.Contains(interp, "/") {
			interp = findProgram(interp, path)
		}
		dirs := []string{filepath.Dir(exe)}
		if interp == "" {
			return dirs, nil
		}
		more, err := programDirs(interp, path, hops-1)
		return append(dirs, more...), err
	}
	real, err := filepath.EvalSymlinks(exe)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", exe, err)
	}
	return []string{filepath.Dir(exe), filepath.Dir(real)}, nil
}

// shebang returns the program a #! line runs, past env and its options
// and assignments: for "#!/usr/bin/env NAME" that is NAME, to be found on
// PATH.
func shebang(head []byte) (string, bool) {
	cmds := shell.Shebang(string(head))
	if len(cmds) == 0 {
		return "", false
	}
	return cmds[0].Name(), true
}

// findProgram finds name on path as the shell would; a name with a slash is
// taken as is if it is absolute. It returns "" when nothing is found.
func findProgram(name, path string) string {
	if strings.Contains(name, "/") {
		if filepath.IsAbs(name) && isExecutable(name) {
			return name
		}
		return ""
	}
	for _, dir := range filepath.SplitList(path) {
		if p := filepath.Join(dir, name); filepath.IsAbs(p) && isExecutable(p) {
			return p
		}
	}
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// systemCovers reports whether path p lies inside the system set, which
// every confined step sees anyway. Links are not resolved: a virtual
// environment's python links to /usr/bin yet needs its own prefix.
func systemCovers(p string) bool {
	for _, b := range SystemBinds() {
		if within(p, b.Dst) {
			return true
		}
	}
	return false
}

// minimalDirs sorts dirs, drops duplicates, those the system binds cover
// and those inside another entry.
func minimalDirs(dirs []string) []string {
	sort.Slice(dirs, func(i, j int) bool { return sortKey(dirs[i]) < sortKey(dirs[j]) })
	var out []string
	for _, d := range dirs {
		if systemCovers(d) || len(out) > 0 && within(d, out[len(out)-1]) {
			continue
		}
		out = append(out, d)
	}
	return out
}
