package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
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
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return nil, nil
	}
	g := gitRunner{ctx: ctx, git: gitPath, dir: dir}
	inside, err := g.run("rev-parse", "--is-inside-work-tree")
	if err != nil || inside != "true" {
		return nil, nil // not a work tree (or inside .git itself)
	}
	info := &core.GitInfo{}
	// These fail, as they should be empty, without commits, on a detached
	// HEAD and without an origin remote.
	info.Commit, _ = g.run("rev-parse", "--verify", "-q", "HEAD")
	info.Branch, _ = g.run("symbolic-ref", "--short", "-q", "HEAD")
	if remote, err := g.run("config", "--get", "remote.origin.url"); err == nil {
		info.Remote = stripCredentials(remote)
	}
	status, err := g.run("status", "--porcelain", "--untracked-files=normal", "--ignore-submodules=none", "--", ".", ":(exclude).lockstep")
	if err != nil {
		return nil, fmt.Errorf("git status in %s: %w", dir, err)
	}
	info.Dirty = status != ""
	return info, nil
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
