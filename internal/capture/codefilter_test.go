package capture

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// projectFiles is a project tree exercising gitignore rules; the
// .gitignore files and .git/info/exclude are in it too.
var projectFiles = map[string]string{
	".gitignore": "# build output\n*.log\n!keep.log\n/build/\ntmp/\n**/cache/**\n!**/cache/keep.txt\ndocs/**/*.pdf\n" +
		"[Tt]humbs.db\n*.py[co]\ndata/raw/\n\\#hash\nspace\\ \nvendor/\nlogs/*\n!logs/.keep\n/only-root.txt\nnested/deep/\n",
	"src/.gitignore":    "!important.log\n*.tmp\n/local/\n",
	"vendor/.gitignore": "!*\n",
	".git/info/exclude": "secret.txt\n",
	"app.log":           "", "keep.log": "", "src/keep.log": "", "src/a.log": "", "src/important.log": "",
	"build/out.o": "", "src/build/x.o": "",
	"tmp/x": "", "src/tmp/y": "", "src/other/tmp": "",
	"a/cache/x.bin": "", "a/cache/keep.txt": "", "cache/keep.txt": "", "cache/sub/z": "",
	"docs/a/b/c.pdf": "", "docs/c.pdf": "", "docs/readme.md": "",
	"Thumbs.db": "", "src/thumbs.db": "", "m.pyc": "", "m.py": "",
	"data/raw/1.csv": "", "data/raw.csv": "",
	"#hash": "", "space ": "", "space": "",
	"secret.txt": "",
	"x.tmp":      "", "src/x.tmp": "", "src/local/z": "", "src/sub/local/z": "",
	"vendor/lib.go": "",
	"logs/a":        "", "logs/.keep": "",
	"only-root.txt": "", "src/only-root.txt": "",
	"a/nested/deep/f": "", "nested/deep/g": "", "nested/f": "",
	".lockstep/objects/ab": "",
	"src/main.py":          "",
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// keptFiles walks dir as a snapshot would, pruning left-out directories.
func keptFiles(t *testing.T, dir string, keep func(string, bool) bool) []string {
	return keptFilesB(t, dir, keep)
}

func keptFilesB(t testing.TB, dir string, keep func(string, bool) bool) []string {
	t.Helper()
	var kept []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !keep(rel, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			kept = append(kept, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(kept)
	return kept
}

func TestCodeFilterGitignore(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, projectFiles)
	keep, err := CodeFilter(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rel   string
		isDir bool
		want  bool
	}{
		{"app.log", false, false},
		{"keep.log", false, true},          // negation
		{"src/keep.log", false, true},      // negation at any depth
		{"src/a.log", false, false},        // unanchored pattern at any depth
		{"src/important.log", false, true}, // deeper .gitignore overrides
		{"build", true, false},             // anchored directory
		{"build/out.o", false, false},
		{"src/build/x.o", false, true}, // anchored: not below the root
		{"tmp/x", false, false},        // directory-only, any depth
		{"src/tmp/y", false, false},
		{"src/other/tmp", false, true}, // directory-only pattern, file of that name
		{"a/cache/x.bin", false, false},
		{"a/cache/keep.txt", false, true}, // "**/x/**" leaves the directory itself in
		{"docs/a/b/c.pdf", false, false},
		{"docs/c.pdf", false, false}, // "**" matches zero directories
		{"docs/readme.md", false, true},
		{"Thumbs.db", false, false}, // character class
		{"src/thumbs.db", false, false},
		{"m.pyc", false, false},
		{"m.py", false, true},
		{"data/raw/1.csv", false, false},
		{"data/raw.csv", false, true},
		{"#hash", false, false},  // escaped comment character
		{"space ", false, false}, // escaped trailing space
		{"space", false, true},
		{"secret.txt", false, false}, // .git/info/exclude
		{"x.tmp", false, true},       // src/.gitignore does not reach the root
		{"src/x.tmp", false, false},
		{"src/local/z", false, false},
		{"src/sub/local/z", false, true},
		{"vendor/lib.go", false, false}, // nothing comes back from an ignored directory
		{"logs/a", false, false},
		{"logs/.keep", false, true},
		{"only-root.txt", false, false},
		{"src/only-root.txt", false, true},
		{"a/nested/deep/f", false, true}, // "nested/deep/" has a slash: anchored
		{"nested/deep/g", false, false},
		{".git", true, false},
		{".git/config", false, false},
		{".lockstep", true, false},
		{".lockstep/objects/ab", false, false},
		{"src/main.py", false, true},
		{"src", true, true},
		{"", true, true},
	}
	for _, tt := range tests {
		if got := keep(tt.rel, tt.isDir); got != tt.want {
			t.Errorf("keep(%q, dir=%v) = %v, want %v", tt.rel, tt.isDir, got, tt.want)
		}
	}
}

// TestCodeFilterAgreesWithGit checks the whole tree against git's own
// answer: the untracked files it does not ignore.
func TestCodeFilterAgreesWithGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (apt-get install git)")
	}
	dir := t.TempDir()
	gitInit(t, dir)
	writeTree(t, dir, projectFiles)
	keep, err := CodeFilter(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := keptFiles(t, dir, keep)
	out := gitOutput(t, dir, "ls-files", "--others", "--exclude-standard", "-z")
	want := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	want = slicesDelete(want, ".lockstep/objects/ab") // git has no reason to skip it
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kept files differ from git's\n got  %q\n want %q", got, want)
	}
}

func TestCodeFilterIncludeExclude(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, projectFiles)
	tests := []struct {
		name             string
		include, exclude []string
		want             []string
	}{
		{"include a directory and a glob", []string{"src/", "*.md"}, nil,
			[]string{"docs/readme.md", "src/.gitignore", "src/build/x.o", "src/important.log", "src/keep.log", "src/main.py", "src/only-root.txt", "src/other/tmp", "src/sub/local/z"}},
		{"include with a negation", []string{"src/", "!src/sub/", "!*.log"}, []string{"src/build/"},
			[]string{"src/.gitignore", "src/main.py", "src/only-root.txt", "src/other/tmp"}},
		{"exclude only", nil, []string{"*.md", "/src/sub/", "*.py", "!m.py", ".gitignore"},
			[]string{"a/cache/keep.txt", "a/nested/deep/f", "cache/keep.txt", "data/raw.csv", "keep.log", "logs/.keep", "m.py",
				"nested/f", "space", "src/build/x.o", "src/important.log", "src/keep.log", "src/only-root.txt", "src/other/tmp", "x.tmp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keep, err := CodeFilter(dir, tt.include, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if got := keptFiles(t, dir, keep); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
	if _, err := CodeFilter(filepath.Join(dir, "missing"), nil, nil); err == nil {
		t.Error("no error for a project directory that does not exist")
	}
	_, err := CodeFilter(dir, []string{"*.py", "data[0-9"}, nil)
	if err == nil || !strings.Contains(err.Error(), `include pattern 2 "data[0-9"`) {
		t.Errorf("bad include pattern: error %v, want one naming it", err)
	}
}

func TestCodeFilterProjectInsideRepo(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, projectFiles)
	keep, err := CodeFilter(filepath.Join(dir, "src"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]bool{"a.log": false, "important.log": true, "x.tmp": false, "build/x.o": true, "tmp/y": false, "main.py": true} {
		if got := keep(rel, false); got != want {
			t.Errorf("project src: keep(%q) = %v, want %v (rules from the repository's top apply)", rel, got, want)
		}
	}
}

func slicesDelete(list []string, x string) []string {
	out := list[:0]
	for _, s := range list {
		if s != x {
			out = append(out, s)
		}
	}
	return out
}

// BenchmarkCodeFilter selects the files of a 6,000-file project the way a
// snapshot does (CodeFilter, then a pruned walk calling it), side by side
// with git listing the same files (ls-files --others --exclude-standard).
func BenchmarkCodeFilter(b *testing.B) {
	dir := b.TempDir()
	files := map[string]string{".gitignore": "*.pyc\n/build/\n**/cache/**\n!keep.pyc\n", "src/.gitignore": "*.tmp\n"}
	for d := 0; d < 60; d++ {
		for f := 0; f < 100; f++ {
			ext := []string{".py", ".pyc", ".tmp", ".csv"}[f%4]
			files[fmt.Sprintf("src/pkg%02d/mod%03d%s", d, f, ext)] = ""
		}
	}
	for rel := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[rel]), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("lockstep", func(b *testing.B) {
		for b.Loop() {
			keep, err := CodeFilter(dir, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			if n := len(keptFilesB(b, dir, keep)); n != 3002 {
				b.Fatalf("kept %d files, want 3002", n)
			}
		}
	})
	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	if out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
		b.Fatalf("git init: %v %s", err, out)
	}
	b.Run("git", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("git", "-C", dir, "ls-files", "--others", "--exclude-standard").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
