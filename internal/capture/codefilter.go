package capture

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// alwaysLeftOut are names no code snapshot holds, at any depth.
var alwaysLeftOut = map[string]bool{".git": true, ".lockstep": true}

// codeFilter decides which files of a project belong to its code snapshot.
type codeFilter struct {
	// root is the git work tree's top, or the project directory when it
	// is not in one; prefix leads from root to the project ("" when equal).
	root, prefix string
	// ignores maps a directory, relative to root, to its .gitignore
	// patterns, read on first use.
	ignores sync.Map
	// infoExclude holds .git/info/exclude, relative to root.
	infoExclude []ignorePattern
	// include and exclude are the user's patterns, relative to the project.
	include, exclude []ignorePattern
	// dirs remembers the decision for each directory (string to bool).
	dirs sync.Map
}

// CodeFilter returns the function that says which paths of the project
// directory dir belong to its code snapshot. rel is slash-separated and
// relative to dir; the function returns false for a path to leave out.
//
// It follows git: .gitignore files at every level (and those of parent
// directories up to the work tree's top, when dir lies inside one) and
// .git/info/exclude, with negation ("!"), anchoring ("/x" or "a/b"),
// directory-only patterns ("x/"), "**" and character classes; deeper
// files override shallower ones, later lines earlier ones, and nothing
// inside a left-out directory comes back. .git and .lockstep are always
// left out. include, when not empty, keeps only files matching it (or
// inside a matching directory); exclude leaves out matches. Both use
// .gitignore syntax relative to dir; a malformed pattern is an error.
// Directories are kept while files below them may be, so a caller should
// not record a directory the filter left empty.
//
// A directory's .gitignore is read the first time a path below it is
// asked about, so a walk that skips left-out directories reads only the
// files that matter; like git, the filter skips a .gitignore it cannot
// read. The function is safe for concurrent use.
func CodeFilter(dir string, include, exclude []string) (func(rel string, isDir bool) bool, error) {
	f := &codeFilter{}
	var err error
	if f.include, err = parseUserPatterns("include", include); err != nil {
		return nil, err
	}
	if f.exclude, err = parseUserPatterns("exclude", exclude); err != nil {
		return nil, err
	}
	if err := f.loadRepo(dir); err != nil {
		return nil, fmt.Errorf("code filter for %s: %w", dir, err)
	}
	return f.keep, nil
}

// keep is the function CodeFilter returns.
func (f *codeFilter) keep(rel string, isDir bool) bool {
	rel = strings.Trim(path.Clean("/"+rel), "/")
	if rel == "" {
		return true
	}
	parent, name := path.Split(rel)
	if parent != "" && !f.dirKept(strings.TrimSuffix(parent, "/")) {
		return false // nothing comes back from a left-out directory
	}
	if alwaysLeftOut[name] || f.ignored(rel, isDir) {
		return false
	}
	segs := strings.Split(rel, "/")
	if matched, keep := lastMatch(f.exclude, segs, isDir); matched && !keep {
		return false
	}
	return isDir || len(f.include) == 0 || decideByLevel(f.include, segs, isDir)
}

// dirKept is keep for a directory, remembered: every file below asks.
func (f *codeFilter) dirKept(rel string) bool {
	if v, ok := f.dirs.Load(rel); ok {
		return v.(bool)
	}
	kept := f.keep(rel, true)
	f.dirs.Store(rel, kept)
	return kept
}

// ignored applies the .gitignore files from the path's own directory up
// to the top, then info/exclude; the first file with a match decides.
func (f *codeFilter) ignored(rel string, isDir bool) bool {
	full := rel
	if f.prefix != "" {
		full = f.prefix + "/" + rel
	}
	segs := strings.Split(full, "/")
	base := full
	for depth := len(segs) - 1; depth >= 0; depth-- {
		if i := strings.LastIndexByte(base, '/'); i >= 0 {
			base = base[:i]
		} else {
			base = ""
		}
		// base is now segs[:depth] joined: the directory whose
		// .gitignore sees the path as segs[depth:].
		if matched, keep := lastMatch(f.ignoresOf(base), segs[depth:], isDir); matched {
			return !keep
		}
	}
	matched, keep := lastMatch(f.infoExclude, segs, isDir)
	return matched && !keep
}

// decideByLevel applies a pattern list to a path and then to each of its
// parent directories; the deepest level with a match decides.
func decideByLevel(pats []ignorePattern, segs []string, isDir bool) bool {
	for d := len(segs); d >= 1; d-- {
		if matched, keep := lastMatch(pats, segs[:d], d < len(segs) || isDir); matched {
			return !keep
		}
	}
	return false
}

// ignoresOf returns the patterns of the .gitignore in directory base
// (relative to root), reading it on first use. One that cannot be read has
// none, as in git (which warns).
func (f *codeFilter) ignoresOf(base string) []ignorePattern {
	if v, ok := f.ignores.Load(base); ok {
		return v.([]ignorePattern)
	}
	pats, _ := readIgnoreFile(filepath.Join(f.root, filepath.FromSlash(base), ".gitignore"))
	v, _ := f.ignores.LoadOrStore(base, pats)
	return v.([]ignorePattern)
}

// readIgnoreFile parses one ignore file; a missing file has no patterns.
func readIgnoreFile(name string) ([]ignorePattern, error) {
	file, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	pats, err := parseIgnore(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return pats, nil
}
