package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// Git describes the git checkout holding dir: the commit checked out, the
// branch (empty when detached), the origin remote with credentials
// removed, and whether the code under dir is dirty (changed, staged or
// untracked files that are not ignored; .lockstep/ and changes elsewhere
// in the work tree do not count). It
// returns nil, nil when dir is not in a git work tree or git is not
// installed, and an error when dir does not exist. A repository without commits has an empty Commit.
func Git(ctx context.Context, dir string) (*core.GitInfo, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("git state of %s: %w", dir, err)
	}
	if !inRepository(dir) {
		return nil, nil // spares starting git where it would find nothing
	}
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return nil, nil
	}
	g := gitRunner{ctx: ctx, git: gitPath, dir: dir}
	inside, err := g.run("rev-parse", "--is-inside-work-tree")
	if err != nil || inside != "true" {
		return nil, nil // not a work tree (or inside .git itself)
	}
	// One status gives the commit, the branch and the changes. The commit
	// is empty without commits, the branch on a detached HEAD.
	status, err := g.run("status", "--porcelain=v2", "--branch", "--no-ahead-behind", "--untracked-files=normal", "--ignore-submodules=none", "--", ".", ":(exclude).lockstep")
	if err != nil {
		return nil, fmt.Errorf("git status in %s: %w", dir, err)
	}
	info := parseStatusV2(status)
	// This fails, as it should be empty, without an origin remote.
	if remote, err := g.run("config", "--get", "remote.origin.url"); err == nil {
		info.Remote = stripCredentials(remote)
	}
	return info, nil
}

// parseStatusV2 reads `git status --porcelain=v2 --branch`: the header
// lines name the commit and branch, any other line is a change.
func parseStatusV2(status string) *core.GitInfo {
	info := &core.GitInfo{}
	for _, line := range strings.Split(status, "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "# branch.oid "):
			if oid := strings.TrimPrefix(line, "# branch.oid "); oid != "(initial)" {
				info.Commit = oid
			}
		case strings.HasPrefix(line, "# branch.head "):
			if head := strings.TrimPrefix(line, "# branch.head "); head != "(detached)" {
				info.Branch = head
			}
		case strings.HasPrefix(line, "# "):
		default:
			info.Dirty = true
		}
	}
	return info
}

// inRepository reports whether dir or a folder above it holds a .git
// entry: without one, git finds no repository (the GIT_* variables that
// could point it elsewhere are not passed to it).
func inRepository(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return true // let git decide
	}
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// gitRunner runs git in one directory, isolated from any repository the
// calling process was told about through GIT_* variables.
type gitRunner struct {
	ctx context.Context
	git string
	dir string
}

// run returns git's trimmed standard output.
func (g gitRunner) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(g.ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.git, append([]string{"-C", g.dir}, args...)...)
	cmd.Env = append(gitEnv(), "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && stderr.Len() > 0 {
			return "", fmt.Errorf("git %s: %w: %s", args[0], err, lastLine(stderr.String()))
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return strings.TrimSpace(string(out)), nil
}

// gitEnv is the process environment without the variables that would
// point git at another repository.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_CEILING_DIRECTORIES", "GIT_PREFIX":
			continue
		}
		env = append(env, kv)
	}
	return env
}
