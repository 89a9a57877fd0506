package capture

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitInit(t *testing.T, dir string) {
	t.Helper()
	gitOutput(t, dir, "init", "-q", "-b", "main")
}

func gitOutput(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (apt-get install git)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	if info, err := Git(ctx, dir); info != nil || err != nil {
		t.Fatalf("outside a work tree: %+v, %v; want nil, nil", info, err)
	}
	if _, err := Git(ctx, filepath.Join(dir, "missing")); err == nil {
		t.Error("no error for a directory that does not exist")
	}
	gitInit(t, dir)
	writeTree(t, dir, map[string]string{"train.py": "print(1)\n", ".gitignore": "out/\n"})
	info, err := Git(ctx, dir)
	if err != nil || info == nil || info.Commit != "" || !info.Dirty {
		t.Fatalf("repository without commits: %+v, %v; want no commit, dirty", info, err)
	}
	gitOutput(t, dir, "add", ".")
	gitOutput(t, dir, "commit", "-q", "-m", "first")
	gitOutput(t, dir, "remote", "add", "origin", "https://alice:hunter2@git.example.org/ml/proj.git")
	head := strings.TrimSpace(gitOutput(t, dir, "rev-parse", "HEAD"))

	steps := []struct {
		name   string
		change func()
		branch string
		dirty  bool
	}{
		{"clean", func() {}, "main", false},
		{"ignored and .lockstep files do not count", func() {
			writeTree(t, dir, map[string]string{"out/model.bin": "x", ".lockstep/objects/ab": "x"})
		}, "main", false},
		{"untracked file", func() { writeTree(t, dir, map[string]string{"notes.txt": "x"}) }, "main", true},
		{"modified file", func() {
			os.Remove(filepath.Join(dir, "notes.txt"))
			writeTree(t, dir, map[string]string{"train.py": "print(2)\n"})
		}, "main", true},
		{"other branch, clean", func() {
			gitOutput(t, dir, "checkout", "-q", "--", "train.py")
			gitOutput(t, dir, "checkout", "-q", "-b", "feature/x")
		}, "feature/x", false},
		{"detached", func() { gitOutput(t, dir, "checkout", "-q", "--detach") }, "", false},
	}
	for _, s := range steps {
		s.change()
		info, err := Git(ctx, dir)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if info.Commit != head || info.Branch != s.branch || info.Dirty != s.dirty {
			t.Errorf("%s: got %+v, want commit %s branch %q dirty %v", s.name, info, head, s.branch, s.dirty)
		}
		if info.Remote != "https://git.example.org/ml/proj.git" {
			t.Errorf("%s: remote %q still carries credentials or is wrong", s.name, info.Remote)
		}
	}

	sub := filepath.Join(dir, "sub")
	writeTree(t, sub, map[string]string{"a.txt": "x"})
	gitOutput(t, dir, "add", "sub")
	gitOutput(t, dir, "commit", "-q", "-m", "sub")
	writeTree(t, dir, map[string]string{"elsewhere.txt": "x"})
	if info, err := Git(ctx, sub); err != nil || info == nil || info.Dirty {
		t.Errorf("project sub/ with a change outside it: %+v, %v; want clean", info, err)
	}
}
