package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Hostname is the host name every confined command sees, so outputs do not
// vary by machine.
const Hostname = "lockstep"

// waitDelay bounds how long Wait keeps copying output after the command
// was killed, in case something outside the process group still holds the
// pipes open.
const waitDelay = 5 * time.Second

// defaultPath is the search path used when Spec.Env sets no PATH, as execvp
// does.
const defaultPath = "/usr/local/bin:/usr/bin:/bin"

// ErrNoCommand is wrapped by Command when Spec.Argv is empty or names a
// program that cannot be found.
var ErrNoCommand = errors.New("no command to run")

// Command returns a ready-to-Start command that runs spec.Argv in mode.
//
// With Bubblewrap the command is confined as the package documentation
// describes. With None it runs directly on the host with exactly spec.Env
// and spec.Dir; spec.ReadOnly, spec.Writable and spec.Network are ignored
// and the caller must record that the task ran unconfined.
//
// In both modes the process leads its own process group, is killed if the
// thread that started it dies (Pdeathsig), and cancelling ctx kills the
// whole group; a confined command's descendants also die with bwrap, since
// they live in its PID namespace.
func Command(ctx context.Context, mode Mode, spec Spec) (*exec.Cmd, error) {
	if len(spec.Argv) == 0 || spec.Argv[0] == "" {
		return nil, fmt.Errorf("sandbox command: %w: Argv is empty", ErrNoCommand)
	}
	var cmd *exec.Cmd
	switch mode {
	case Bubblewrap:
		bwrap, err := exec.LookPath("bwrap")
		if err != nil {
			return nil, fmt.Errorf("sandbox command %s: %w: bubblewrap (bwrap) is not installed: install it with `apt-get install bubblewrap`, %s", spec.Argv[0], ErrUnavailable, optOut)
		}
		args, err := bwrapArgs(spec)
		if err != nil {
			return nil, fmt.Errorf("sandbox command %s: %w", spec.Argv[0], err)
		}
		cmd = exec.CommandContext(ctx, bwrap, args...)
	case None:
		prog, err := lookPath(spec.Argv[0], spec.Env)
		if err != nil {
			return nil, err
		}
		cmd = exec.CommandContext(ctx, prog, spec.Argv[1:]...)
		cmd.Args[0] = spec.Argv[0]
		cmd.Dir = spec.Dir
	default:
		return nil, fmt.Errorf("sandbox command %s: %w %q: use %q or %q", spec.Argv[0], ErrUnknownMode, mode, Bubblewrap, None)
	}
	cmd.Env = environ(spec.Env)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = spec.Stdin, spec.Stdout, spec.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = waitDelay
	return cmd, nil
}

// bwrapArgs returns bwrap's arguments for spec: namespaces and hardening
// first, then the mounts of layout, the read-only root, the working
// directory and the command. The environment is not among them: bwrap
// passes its own, which Command sets to exactly spec.Env.
func bwrapArgs(spec Spec) ([]string, error) {
	mounts, err := layout(spec)
	if err != nil {
		return nil, err
	}
	args := []string{
		"--die-with-parent", "--new-session", "--cap-drop", "ALL",
		"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", Hostname, "--unshare-cgroup-try",
	}
	if !spec.Network {
		args = append(args, "--unshare-net")
	}
	for _, m := range mounts {
		args = append(args, m.args()...)
	}
	dir := spec.Dir
	if dir == "" {
		dir = "/"
	}
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("working directory %q: %w: it must be an absolute path inside the sandbox", dir, ErrBadBind)
	}
	if strings.Contains(spec.Argv[0], "=") {
		return nil, fmt.Errorf("program %q: %w: a program name may not contain '='", spec.Argv[0], ErrNoCommand)
	}
	args = append(args, "--remount-ro", "/", "--chdir", dir, "--")
	// bwrap always exports PWD; env restores exactly what spec.Env says.
	args = append(args, envProgram, "-u", "PWD")
	if pwd, ok := lookupEnv(spec.Env, "PWD"); ok {
		args = append(args, "PWD="+pwd)
	}
	return append(args, spec.Argv...), nil
}

// envProgram runs the step inside the sandbox after putting PWD back as
// Spec.Env has it; it replaces itself with the step's program.
const envProgram = "/usr/bin/env"

// lookPath finds name in the PATH of env, as the shell would for the step,
// rather than in lockstep's own PATH. A name with a slash is used as is
// (relative to the working directory).
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	path, ok := lookupEnv(env, "PATH")
	if !ok {
		path = defaultPath
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if !strings.Contains(p, "/") {
			p = "./" + p
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("sandbox command %s: %w: %s is not in the step's PATH (%s); set PATH in the step's environment or give the full path", name, ErrNoCommand, name, path)
}
