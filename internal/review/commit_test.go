package review

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// tarOf builds a tar stream of entries (name → body; a name ending in /
// is a directory, a body starting with "-> " a symlink).
func tarOf(t *testing.T, names []string, bodies map[string]string) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	for _, name := range names {
		body := bodies[name]
		h := &tar.Header{Name: name, Mode: 0o755}
		switch {
		case strings.HasSuffix(name, "/"):
			h.Typeflag = tar.TypeDir
		case strings.HasPrefix(body, "-> "):
			h.Typeflag, h.Linkname = tar.TypeSymlink, strings.TrimPrefix(body, "-> ")
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(body))
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			w.Write([]byte(body))
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestExtractTarUnpacksFilesDirsAndLinks(t *testing.T) {
	dir := t.TempDir()
	names := []string{"src/", "src/train.py", "run.sh", "latest"}
	bodies := map[string]string{"src/train.py": "print(1)\n", "run.sh": "#!/bin/sh\n", "latest": "-> src/train.py"}
	if err := extractTar(tarOf(t, names, bodies), dir); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "latest")); err != nil || string(b) != "print(1)\n" {
		t.Errorf("symlink latest reads %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "run.sh")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("run.sh mode %v, %v; want 0755", fi.Mode(), err)
	}
}

func TestExtractTarRefusesEntriesOutsideTheFolder(t *testing.T) {
	for _, name := range []string{"../escape.py", "/etc/passwd", "a/../../b"} {
		dir := t.TempDir()
		err := extractTar(tarOf(t, []string{name}, map[string]string{name: "x"}), filepath.Join(dir, "code"))
		if err == nil || !strings.Contains(err.Error(), "git archive entry") {
			t.Errorf("entry %q: err = %v, want a refusal naming the entry", name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "escape.py")); err == nil {
			t.Errorf("entry %q was written outside the folder", name)
		}
	}
}

// The working folder is a subfolder of the repository, as a project in a
// monorepo is: the tree is that folder of the commit.
func TestCommitTreeIsTheCommitsFilesNotTheWorkingCopy(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	repo := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	for name, body := range map[string]string{"proj/train.py": "print(1)\n", "proj/.gitignore": "*.log\n", "other/x.py": "x\n"} {
		p := filepath.Join(repo, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("add", ".")
	git("commit", "-qm", "one")
	commit := git("rev-parse", "HEAD")
	// The working copy changes after the commit: the tree must not.
	os.WriteFile(filepath.Join(repo, "proj", "train.py"), []byte("print(2)\n"), 0o644)
	t.Chdir(filepath.Join(repo, "proj"))

	st, err := store.Open(filepath.Join(t.TempDir(), "home"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tmp := t.TempDir()
	d, err := CommitTree(context.Background(), st, tmp, commit[:10])
	if err != nil {
		t.Fatal(err)
	}
	tree, err := st.GetTree(d)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range tree.Entries {
		paths = append(paths, e.Path)
	}
	if strings.Join(paths, " ") != ".gitignore train.py" {
		t.Errorf("tree of the commit below proj/ holds %v, want [.gitignore train.py]", paths)
	}
	if ent, _ := tree.Lookup("train.py"); ent.Digest != core.DigestOf([]byte("print(1)\n")) {
		t.Errorf("train.py is the working copy's, not the commit's")
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("CommitTree left %d entries in its temporary folder", len(left))
	}
	if _, err := CommitTree(context.Background(), st, tmp, "0000000"); err == nil {
		t.Error("CommitTree of an unknown commit succeeded")
	}
}
