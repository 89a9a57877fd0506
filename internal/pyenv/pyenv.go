// Package pyenv finds the interpreter a pyenv shim runs without running
// the shim. A shim (~/.pyenv/shims/python3) is a shell script that asks
// pyenv, each time it starts, which installed version to run; asking
// takes a good part of a second, so the answer is kept in the host cache
// (see hostcache) with every file that steers it: a .python-version in
// the folder pyenv starts from or any folder above it, pyenv's global
// version file, its versions/ and plugins/ folders, and pyenv itself.
package pyenv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/hostcache"
)

// timeout bounds one question to pyenv.
const timeout = 30 * time.Second

// Shim reports whether the program file exe is a pyenv shim, and pyenv's
// root folder if so: a file in a folder named shims whose text names
// pyenv. head is the start of the file (see Head).
func Shim(exe string, head []byte) (root string, ok bool) {
	dir := filepath.Dir(exe)
	if filepath.Base(dir) != "shims" || !bytes.Contains(head, []byte("pyenv")) {
		return "", false
	}
	return filepath.Dir(dir), true
}

// Head returns the first bytes of a file, enough for a #! line or a shim.
func Head(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 1024))
}

// Steering are the variables that change pyenv's answer.
var Steering = []string{"HOME", "PYENV_ROOT", "PYENV_VERSION", "PYENV_DIR"}

// Which returns the program the shim called name under pyenv's root runs
// for a process started in dir with the environment env (NAME=value
// entries; its PATH is replaced by path).
func Which(root, name, path, dir string, env []string) (string, error) {
	pyenv := filepath.Join(root, "libexec", "pyenv")
	var key strings.Builder
	fmt.Fprintf(&key, "pyenv-which\x00%s\x00%s\x00%s\x00%s", pyenv, name, path, dir)
	for _, v := range Steering {
		fmt.Fprintf(&key, "\x00%s=%s", v, lookup(env, v))
	}
	return hostcache.Remember(hostcache.Shared(), key.String(), append([]string{pyenv}, steeringFiles(root, dir, env)...), func() (string, []string, error) {
		real, err := ask(pyenv, name, path, dir, env)
		return real, []string{real}, err
	})
}

// ask runs `pyenv which name`.
func ask(pyenv, name, path, dir string, env []string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, pyenv, "which", name)
	cmd.Env = append(without(env, "PATH"), "PATH="+path)
	if lookup(env, "PYENV_ROOT") == "" {
		// A shim sets it before it calls pyenv.
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+filepath.Dir(filepath.Dir(pyenv)))
	}
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("resolve pyenv shim %s: %s which: %w: %s", name, pyenv, err, strings.TrimSpace(stderr.String()))
	}
	real := strings.TrimSpace(stdout.String())
	if !filepath.IsAbs(real) {
		return "", fmt.Errorf("resolve pyenv shim %s: pyenv which printed %q", name, real)
	}
	return filepath.Clean(real), nil
}

// steeringFiles are the files whose change may change the interpreter
// pyenv selects: a .python-version in the folder it starts from
// (PYENV_DIR, else dir, else the working directory) or any above it, the
// global version file, the installed versions and the plugins (whose
// hooks may take part).
func steeringFiles(root, dir string, env []string) []string {
	from := lookup(env, "PYENV_DIR")
	if from == "" {
		from = dir
	}
	if from == "" {
		from, _ = os.Getwd()
	}
	var files []string
	for from != "" {
		files = append(files, filepath.Join(from, ".python-version"))
		parent := filepath.Dir(from)
		if parent == from {
			break
		}
		from = parent
	}
	return append(files, filepath.Join(root, "version"), filepath.Join(root, "versions"), filepath.Join(root, "plugins"))
}

// lookup returns the value of name in env, the last entry winning.
func lookup(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// without returns env without the entries of name.
func without(env []string, name string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
