package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/hostcache"
)

// probeTimeout bounds each helper program Toolchain runs: pyenv, or an
// interpreter asked about itself.
const probeTimeout = 30 * time.Second

// pythonName matches the names Python interpreters are installed under.
var pythonName = regexp.MustCompile(`^(python|pypy)[0-9.]*$`)

// pythonPrefixes asks the interpreter exe where it and its standard library
// live: the prefixes of a virtual environment and of its base installation.
func pythonPrefixes(exe, path string) ([]string, error) {
	const script = "import sys\n" +
		"p = [sys.prefix, sys.exec_prefix, getattr(sys, 'base_prefix', getattr(sys, 'real_prefix', sys.prefix)), getattr(sys, 'base_exec_prefix', sys.exec_prefix)]\n" +
		"sys.stdout.write('\\n'.join(p) + '\\n')\n"
	// -E and -s: no variable steers the answer; a virtual environment's
	// pyvenv.cfg, beside the program or one folder up, does.
	real, _ := filepath.EvalSymlinks(exe)
	steering := []string{real, filepath.Join(filepath.Dir(exe), "pyvenv.cfg"), filepath.Join(filepath.Dir(filepath.Dir(exe)), "pyvenv.cfg")}
	out, err := probe(path, steering, absLines, exe, "-E", "-s", "-c", script)
	if err != nil {
		return nil, fmt.Errorf("ask %s for its prefix: %w", exe, err)
	}
	dirs := absLines(out)
	if len(dirs) == 0 {
		return nil, fmt.Errorf("ask %s for its prefix: no absolute path in %q", exe, out)
	}
	return dirs, nil
}

// absLines returns the absolute paths among the lines of out, cleaned.
func absLines(out string) []string {
	var dirs []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if filepath.IsAbs(line) {
			dirs = append(dirs, filepath.Clean(line))
		}
	}
	return dirs
}

// pyenvShim reports whether exe is a pyenv shim, and pyenv's root if so.
func pyenvShim(exe string, head []byte) (string, bool) {
	dir := filepath.Dir(exe)
	if filepath.Base(dir) != "shims" || !bytes.Contains(head, []byte("pyenv")) {
		return "", false
	}
	return filepath.Dir(dir), true
}

// pyenvWhich asks pyenv which program a shim called name runs.
func pyenvWhich(root, name, path string) (string, error) {
	pyenv := filepath.Join(root, "libexec", "pyenv")
	out, err := probe(path, pyenvSteering(root), absLines, pyenv, "which", name)
	if err != nil {
		return "", fmt.Errorf("resolve pyenv shim %s: %w", name, err)
	}
	real := strings.TrimSpace(out)
	if !filepath.IsAbs(real) {
		return "", fmt.Errorf("resolve pyenv shim %s: pyenv which printed %q", name, real)
	}
	return real, nil
}

// probe runs a helper program with lockstep's environment but PATH set
// to path and returns its standard output. Answers are remembered in the
// host cache (see hostcache), valid while the program, the files that
// steer it and the files its answer names keep their identity: a task
// asks Toolchain and StepPath about the same interpreters, every executor
// is a process of its own, and pyenv takes a good part of a second to
// answer. steering are the files besides the program whose change may
// change the answer; named returns the files the answer names.
func probe(path string, steering []string, named func(out string) []string, prog string, args ...string) (string, error) {
	cwd, _ := os.Getwd()
	var key strings.Builder
	fmt.Fprintf(&key, "probe\x00%s\x00%s\x00%s\x00%s", prog, path, cwd, strings.Join(args, "\x00"))
	for _, name := range probeSteering {
		fmt.Fprintf(&key, "\x00%s=%s", name, os.Getenv(name))
	}
	return hostcache.Remember(hostcache.Shared(), key.String(), append([]string{prog}, steering...), func() (string, []string, error) {
		out, err := runProbe(path, prog, args...)
		if err != nil || named == nil {
			return out, nil, err
		}
		return out, named(out), nil
	})
}

// probeSteering are the variables that change what the helper programs
// answer: where pyenv lives and which version it selects.
var probeSteering = []string{"HOME", "PYENV_ROOT", "PYENV_VERSION", "PYENV_DIR"}

// pyenvSteering are the files whose change may change the interpreter
// pyenv selects: a .python-version in the folder it starts from
// (PYENV_DIR, else the working directory) or any above it, the global
// version file, the installed versions and the plugins (whose hooks may
// take part).
func pyenvSteering(root string) []string {
	dir := os.Getenv("PYENV_DIR")
	if dir == "" {
		dir, _ = os.Getwd()
	}
	var files []string
	for dir != "" {
		files = append(files, filepath.Join(dir, ".python-version"))
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return append(files, filepath.Join(root, "version"), filepath.Join(root, "versions"), filepath.Join(root, "plugins"))
}

// runProbe runs a helper program, as probe says.
func runProbe(path, prog string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = append(os.Environ(), "PATH="+path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", prog, strings.Join(args[:1], " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
