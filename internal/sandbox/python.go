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
	"lockstep.dev/lockstep/internal/pyenv"
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

// pyenvWhich asks pyenv (through the host cache) which program a shim
// called name runs for lockstep's working directory and environment.
func pyenvWhich(root, name, path string) (string, error) {
	cwd, _ := os.Getwd()
	return pyenv.Which(root, name, path, cwd, os.Environ())
}

// probe runs a helper program with lockstep's environment but PATH set
// to path and returns its standard output. Answers are remembered in the
// host cache (see hostcache), valid while the program, the files that
// steer it and the files its answer names keep their identity: a task
// asks Toolchain and StepPath about the same interpreters, and each run
// would otherwise ask again. steering are the files besides the program whose change may
// change the answer; named returns the files the answer names.
func probe(path string, steering []string, named func(out string) []string, prog string, args ...string) (string, error) {
	cwd, _ := os.Getwd()
	var key strings.Builder
	fmt.Fprintf(&key, "probe\x00%s\x00%s\x00%s\x00%s", prog, path, cwd, strings.Join(args, "\x00"))
	for _, name := range pyenv.Steering {
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
