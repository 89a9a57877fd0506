package capture

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"lockstep.dev/lockstep/internal/shell"
)

// Bounds on following a command into the scripts it starts.
const (
	maxScriptDepth = 4
	maxScriptHead  = 64 << 10
)

// locatePython returns the Python call a step's command makes: directly
// or through wrappers and sh -c strings (findPython), through a script
// whose #! line names Python (`#!/usr/bin/env python3`), or through a
// shell script that starts it (`exec python3 x.py`). Scripts are found as
// the shell would find them, relative to dir or on pathList; depth bounds
// how many scripts are followed.
func locatePython(cmdline, dir, pathList string, depth int) *interpreterCall {
	if call := findPython(cmdline); call != nil || depth == 0 {
		return call
	}
	cmds, _ := shell.Commands(cmdline)
	for _, c := range cmds {
		var found *interpreterCall
		if script, ok := shell.Script(c); ok {
			found = locatePython(readScript(findScript(script, dir, "")), dir, pathList, depth-1)
		} else {
			found = throughScript(findScript(c.Name(), dir, pathList), dir, pathList, depth-1)
		}
		if found != nil {
			mergeCall(found, c)
			return found
		}
	}
	return nil
}

// throughScript follows a script: its #! line when it names Python or a
// shell, else nothing (a binary or an unknown interpreter).
func throughScript(file, dir, pathList string, depth int) *interpreterCall {
	text := readShebangScript(file)
	cmds := shell.Shebang(text)
	if len(cmds) == 0 {
		return nil
	}
	if call := pythonCall(cmds[0]); call != nil {
		return call
	}
	if shell.IsShell(cmds[0].Name()) {
		if found := locatePython(text, dir, pathList, depth); found != nil {
			mergeCall(found, cmds[0])
			return found
		}
	}
	return nil
}

// findScript returns the file a program word names: a word with a slash
// relative to dir, else the first match on pathList ("" to search no
// PATH). It returns "" when there is none.
func findScript(word, dir, pathList string) string {
	if strings.Contains(word, "/") {
		if !filepath.IsAbs(word) && dir != "" {
			word = filepath.Join(dir, word)
		}
		return word
	}
	if pathList == "" {
		if dir != "" {
			return filepath.Join(dir, word)
		}
		return word
	}
	p, err := lookPath(word, pathList, dir)
	if err != nil {
		return ""
	}
	return p
}

// readScript returns the beginning of a regular file, "" for anything else.
func readScript(file string) string { return readHead(file, false) }

// readShebangScript returns the beginning of a regular file that starts
// with "#!", "" for anything else: a program started by name is a script
// only then, and a binary (most programs) is not read past its first bytes.
func readShebangScript(file string) string { return readHead(file, true) }

// readHead returns up to maxScriptHead bytes from the start of a regular
// file; with shebang, only when they start with "#!".
func readHead(file string, shebang bool) string {
	if file == "" {
		return ""
	}
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	prefix := ""
	if shebang {
		var first [2]byte
		if _, err := io.ReadFull(f, first[:]); err != nil || string(first[:]) != "#!" {
			return ""
		}
		prefix = "#!"
	}
	b, _ := io.ReadAll(io.LimitReader(f, maxScriptHead-int64(len(prefix))))
	return prefix + string(b)
}

// mergeCall adds what an outer command does to the environment (the
// assignments and env options before a script or shell) to the call found
// inside it; the inner settings win.
func mergeCall(inner *interpreterCall, outer shell.Command) {
	for name, value := range outer.Env {
		if _, ok := inner.Env[name]; !ok {
			inner.Env[name] = value
		}
	}
	inner.Unset = append(inner.Unset, outer.Unset...)
	inner.Clear = inner.Clear || outer.Clear
}
