package sandbox

import (
	"lockstep.dev/lockstep/internal/pyenv"

	"os"
	"path/filepath"
	"strings"
)

// pathPythons are the interpreters a step may start without naming them
// in its command: through `sh -c`, a script's #! line or `exec` in a script.
var pathPythons = []string{"python3", "python"}

// StepPath returns the PATH a confined step runs with and the host
// directories it must see read-only so that PATH finds inside the sandbox
// the programs it finds outside: every absolute PATH entry that exists and
// that the system binds do not cover, and what the Python interpreters PATH
// selects (python3, python) need (their prefixes), whether or not the
// command names them. A pyenv shims folder is replaced on PATH by the bin
// folders of the interpreters its shims select: a shim needs pyenv itself,
// which is not exposed. An entry that is the user's home folder, one of
// its parents or the root stays on PATH but is not exposed: it would
// expose the whole home. The directories are sorted, without duplicates
// and without directories inside one another.
func StepPath(path string) (string, []string, error) {
	home, _ := os.UserHomeDir()
	var entries, dirs []string
	for _, e := range filepath.SplitList(path) {
		if !filepath.IsAbs(e) {
			entries = append(entries, e)
			continue
		}
		e = filepath.Clean(e)
		if root, ok := shimsFolder(e); ok {
			entries = append(entries, shimBins(root, path)...)
			continue
		}
		entries = append(entries, e)
		if fi, err := os.Stat(e); err != nil || !fi.IsDir() || home != "" && within(home, e) {
			continue
		}
		dirs = append(dirs, e)
	}
	stepPath := strings.Join(entries, string(filepath.ListSeparator))
	seen := map[string]bool{}
	for _, name := range pathPythons {
		exe := findProgram(name, stepPath)
		if exe == "" {
			continue
		}
		// python and python3 in one folder, links to one file, are one
		// interpreter with one prefix: ask once.
		real, _ := filepath.EvalSymlinks(exe)
		key := filepath.Dir(exe) + "\x00" + real
		if seen[key] {
			continue
		}
		seen[key] = true
		found, err := programDirs(exe, stepPath, maxHops)
		if err != nil {
			return "", nil, err
		}
		dirs = append(dirs, found...)
	}
	return stepPath, minimalDirs(dirs), nil
}

// shimsFolder reports whether dir is pyenv's shims folder, and pyenv's
// root if so.
func shimsFolder(dir string) (string, bool) {
	for _, name := range pathPythons {
		exe := filepath.Join(dir, name)
		if !isExecutable(exe) {
			continue
		}
		if head, err := pyenv.Head(exe); err == nil {
			return pyenv.Shim(exe, head)
		}
	}
	return "", false
}

// shimBins returns the bin folder of the interpreter pyenv's shims select
// under path: that of python3, else of python (asking pyenv takes a good
// part of a second, so it is asked once). None when pyenv selects neither.
func shimBins(root, path string) []string {
	for _, name := range pathPythons {
		if real, err := pyenvWhich(root, name, path); err == nil {
			return []string{filepath.Dir(real)}
		}
	}
	return nil
}
