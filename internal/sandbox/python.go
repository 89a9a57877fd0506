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
	"sync"
	"time"
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
	out, err := probe(path, exe, "-E", "-s", "-c", script)
	if err != nil {
		return nil, fmt.Errorf("ask %s for its prefix: %w", exe, err)
	}
	var dirs []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if filepath.IsAbs(line) {
			dirs = append(dirs, filepath.Clean(line))
		}
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("ask %s for its prefix: no absolute path in %q", exe, out)
	}
	return dirs, nil
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
	out, err := probe(path, pyenv, "which", name)
	if err != nil {
		return "", fmt.Errorf("resolve pyenv shim %s: %w", name, err)
	}
	real := strings.TrimSpace(out)
	if !filepath.IsAbs(real) {
		return "", fmt.Errorf("resolve pyenv shim %s: pyenv which printed %q", name, real)
	}
	return real, nil
}

// probes remembers the answers of helper programs for the life of the
// process, by program file (its size and modification time too), PATH and
// arguments: a task asks Toolchain and StepPath about the same
// interpreters, and pyenv takes a good part of a second to answer.
var probes = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// probe runs a helper program with lockstep's environment but PATH set
// to path and returns its standard output.
func probe(path, prog string, args ...string) (string, error) {
	fi, err := os.Stat(prog)
	if err != nil {
		return "", err
	}
	key := fmt.Sprintf("%s\x00%d\x00%d\x00%s\x00%s", prog, fi.Size(), fi.ModTime().UnixNano(), path, strings.Join(args, "\x00"))
	probes.Lock()
	out, ok := probes.m[key]
	probes.Unlock()
	if ok {
		return out, nil
	}
	out, err = runProbe(path, prog, args...)
	if err == nil {
		probes.Lock()
		probes.m[key] = out
		probes.Unlock()
	}
	return out, err
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
