package capture

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// loadRepo finds the git work tree holding dir, if any, and reads its
// info/exclude; dir must be a directory.
func (f *codeFilter) loadRepo(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if st, err := os.Stat(abs); err != nil {
		return err
	} else if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", abs)
	}
	f.root = abs
	top, gitDir := findWorkTree(abs)
	if top == "" {
		return nil
	}
	f.root = top
	if rel, err := filepath.Rel(top, abs); err == nil && rel != "." {
		f.prefix = filepath.ToSlash(rel)
	}
	f.infoExclude, err = readIgnoreFile(filepath.Join(gitDir, "info", "exclude"))
	return err
}

// findWorkTree walks up from dir to the directory holding ".git" and
// returns it with the git directory (for a linked work tree or submodule,
// where .git is a "gitdir: ..." file, the common directory that holds
// info/exclude). top is "" outside a work tree.
func findWorkTree(dir string) (top, gitDir string) {
	for d := dir; ; d = filepath.Dir(d) {
		dotGit := filepath.Join(d, ".git")
		st, err := os.Stat(dotGit)
		if err == nil && st.IsDir() {
			return d, dotGit
		}
		if err == nil && st.Mode().IsRegular() {
			return d, gitDirFromFile(d, dotGit)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", ""
		}
		if filepath.Dir(d) == d {
			return "", ""
		}
	}
}

// gitDirFromFile follows a ".git" file ("gitdir: path") and its
// "commondir" file to the directory holding info/exclude.
func gitDirFromFile(top, dotGit string) string {
	b, err := os.ReadFile(dotGit)
	if err != nil {
		return dotGit
	}
	gd := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(b)), "gitdir:"))
	if !filepath.IsAbs(gd) {
		gd = filepath.Join(top, gd)
	}
	if c, err := os.ReadFile(filepath.Join(gd, "commondir")); err == nil {
		common := strings.TrimSpace(string(c))
		if !filepath.IsAbs(common) {
			common = filepath.Join(gd, common)
		}
		return common
	}
	return gd
}
