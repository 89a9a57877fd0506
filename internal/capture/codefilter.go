package capture

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// alwaysLeftOut are directory names no code snapshot holds, at any depth.
var alwaysLeftOut = map[string]bool{".git": true, ".lockstep": true}

// codeFilter decides which files of a project belong to its code snapshot.
type codeFilter struct {
	// prefix are the segments from the git work tree's top to the project
	// directory (none when the project is the top or not in git).
	prefix []string
	// ignores maps a directory, relative to the top, to its .gitignore.
	ignores map[string][]ignorePattern
	// infoExclude holds .git/info/exclude, relative to the top.
	infoExclude []ignorePattern
	// include and exclude are the user's patterns, relative to the project.
	include, exclude []ignorePattern
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
// inside a left-out directory comes back. .git and .lockstep directories
// are always left out. include, when not empty, keeps only files matching
// it (or inside a matching directory); exclude leaves out matches. Both
// use .gitignore syntax relative to dir. Directories are kept while files
// below them may be, so a caller should not record a directory the filter
// left empty.
//
// All .gitignore files are read now, walking the directories that are
// not left out; the returned function does no I/O and is safe for
// concurrent use.
func CodeFilter(dir string, include, exclude []string) (func(rel string, isDir bool) bool, error) {
	f := &codeFilter{ignores: map[string][]ignorePattern{}}
	var err error
	if f.include, err = parseUserPatterns("include", include); err != nil {
		return nil, err
	}
	if f.exclude, err = parseUserPatterns("exclude", exclude); err != nil {
		return nil, err
	}
	if err := f.loadRepo(dir); err != nil {
		return nil, err
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "." && !f.keep(rel, true) {
			return filepath.SkipDir
		}
		return f.loadIgnore(p, f.topRel(rel))
	})
	if err != nil {
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
	segs := strings.Split(rel, "/")
	for _, s := range segs[:len(segs)-1] {
		if alwaysLeftOut[s] {
			return false
		}
	}
	if alwaysLeftOut[segs[len(segs)-1]] && isDir {
		return false
	}
	for d := 1; d <= len(segs); d++ {
		if f.ignored(segs[:d], d < len(segs) || isDir) {
			return false
		}
	}
	if decideByLevel(f.exclude, segs, isDir) {
		return false
	}
	return isDir || len(f.include) == 0 || decideByLevel(f.include, segs, isDir)
}

// ignored applies the .gitignore files from the path's own directory up
// to the top, then info/exclude; the first file with a match decides.
func (f *codeFilter) ignored(segs []string, isDir bool) bool {
	full := append(append([]string{}, f.prefix...), segs...)
	for depth := len(full) - 1; depth >= 0; depth-- {
		pats := f.ignores[strings.Join(full[:depth], "/")]
		if matched, keep := lastMatch(pats, full[depth:], isDir); matched {
			return !keep
		}
	}
	matched, keep := lastMatch(f.infoExclude, full, isDir)
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

// topRel turns a path relative to the project into one relative to the
// work tree's top.
func (f *codeFilter) topRel(rel string) string {
	if rel == "." {
		return strings.Join(f.prefix, "/")
	}
	return strings.Join(append(append([]string{}, f.prefix...), rel), "/")
}

// loadIgnore reads dir/.gitignore, if there is one, as the patterns of
// the directory top-relative key.
func (f *codeFilter) loadIgnore(dir, key string) error {
	name := filepath.Join(dir, ".gitignore")
	if st, err := os.Stat(name); err != nil || !st.Mode().IsRegular() {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	pats, err := readIgnoreFile(name)
	if len(pats) > 0 {
		f.ignores[key] = pats
	}
	return err
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
