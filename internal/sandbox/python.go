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

// probe runs a helper program with lockstep's environment but PATH set
// to path and returns its standard output.
func probe(path, prog string, args ...string) (string, error) {
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
