package capture

import (
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Bounds on following a command into the shells and scripts it starts.
const (
	maxScriptDepth = 4
	maxScriptHead  = 64 << 10
)

// shells run a command string (-c) or a script file given as an argument.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true}

// locatePython returns the Python call a step's command makes: directly
// (findPython), through a shell's -c string (`sh -c "python3 x.py"`),
// through a script whose #! line names Python (`#!/usr/bin/env python3`),
// or through a shell script that starts it (`exec python3 x.py`). Scripts
// are found as the shell would find them, relative to dir or on pathList;
// depth bounds how many shells and scripts are followed.
func locatePython(cmdline, dir, pathList string, depth int) *interpreterCall {
	if call := findPython(cmdline); call != nil || depth == 0 {
		return call
	}
	for _, words := range simpleCommands(cmdline) {
		call, i := parseCall(words)
		if i < 0 {
			continue
		}
		var found *interpreterCall
		if prog, args := words[i], words[i+1:]; shells[path.Base(prog)] {
			found = throughShell(args, dir, pathList, depth-1)
		} else {
			found = throughScript(findScript(prog, dir, pathList), dir, pathList, depth-1)
		}
		if found != nil {
			mergeCall(found, call)
			return found
		}
	}
	return nil
}

// throughShell follows a shell's arguments: a -c string, or a script file.
func throughShell(args []string, dir, pathList string, depth int) *interpreterCall {
	for i, a := range args {
		switch {
		case a == "-c" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "c"):
			if i+1 < len(args) {
				return locatePython(args[i+1], dir, pathList, depth)
			}
			return nil
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+"):
		default:
			return locatePython(readScript(findScript(a, dir, "")), dir, pathList, depth)
		}
	}
	return nil
}

// throughScript follows a script: its #! line when it names Python or a
// shell, else nothing (a binary or an unknown interpreter).
func throughScript(file, dir, pathList string, depth int) *interpreterCall {
	text := readScript(file)
	line, ok := strings.CutPrefix(text, "#!")
	if !ok {
		return nil
	}
	line, _, _ = strings.Cut(line, "\n")
	words := strings.Fields(line)
	if len(words) == 0 {
		return nil
	}
	if path.Base(words[0]) == "env" {
		// The kernel passes the rest of the line as one word; env -S
		// splits it as strings.Fields did.
		words = slices.DeleteFunc(words, func(w string) bool { return w == "-S" })
		words[0] = "env"
	}
	call, i := parseCall(words)
	if i < 0 {
		return nil
	}
	if pythonName.MatchString(path.Base(words[i])) {
		call.Word = words[i]
		call.Flags = pathFlags(words[i+1:])
		return call
	}
	if shells[path.Base(words[i])] {
		return locatePython(text, dir, pathList, depth)
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
func readScript(file string) string {
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
	b, _ := io.ReadAll(io.LimitReader(f, maxScriptHead))
	return string(b)
}

// mergeCall adds what an outer command line does to the environment (the
// assignments and env options before a script or shell) to the call found
// inside it; the inner settings win.
func mergeCall(inner, outer *interpreterCall) {
	for name, value := range outer.Env {
		if _, ok := inner.Env[name]; !ok {
			inner.Env[name] = value
		}
	}
	inner.Unset = append(inner.Unset, outer.Unset...)
	inner.Clear = inner.Clear || outer.Clear
}
