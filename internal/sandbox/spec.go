package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Bind exposes the host path Src at Dst inside the sandbox. An empty Dst
// means the same path as Src. Src may be a file or a directory.
type Bind struct{ Src, Dst string }

// Spec describes one confined command.
type Spec struct {
	// Argv is the command and its arguments, e.g. {"/bin/sh", "-c", "python3 train.py"}.
	// A name without a slash is looked up in the PATH of Env.
	Argv []string
	// Dir is the working directory inside the sandbox; "" means "/" when
	// confined and the caller's directory when unconfined.
	Dir string
	// Env is the complete environment, "K=V" each; nothing else leaks in.
	Env []string
	// ReadOnly lists the code snapshot, inputs, toolchain directories and
	// any extra paths, exposed read-only.
	ReadOnly []Bind
	// Writable lists the output and work directories.
	Writable []Bind
	// Network shares the host's network and /etc/resolv.conf; otherwise
	// the command has only its own loopback device.
	Network bool
	// Stdin, Stdout and Stderr are wired to the command as in exec.Cmd.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// ErrBadBind is wrapped by Command when a bind cannot be mounted as asked.
var ErrBadBind = errors.New("bad sandbox bind")

// reserved are the sandbox paths Command mounts itself; a bind may not
// replace them or be placed inside /proc or /dev.
var reserved = []string{"/", "/proc", "/dev", "/dev/shm", "/tmp"}

// normalize checks b and returns it with an absolute, clean Src and Dst.
// known says Src is a system bind this process found (SystemBinds), which
// is not looked up again.
func normalize(b Bind, known bool) (Bind, error) {
	if b.Src == "" {
		return b, fmt.Errorf("bind to %q: %w: the source path is empty", b.Dst, ErrBadBind)
	}
	if !filepath.IsAbs(b.Src) {
		return b, fmt.Errorf("bind %s: %w: the source must be an absolute path", b.Src, ErrBadBind)
	}
	if b.Dst == "" {
		b.Dst = b.Src
	}
	if !filepath.IsAbs(b.Dst) {
		return b, fmt.Errorf("bind %s on %s: %w: the destination must be an absolute path", b.Src, b.Dst, ErrBadBind)
	}
	b.Src, b.Dst = filepath.Clean(b.Src), filepath.Clean(b.Dst)
	for _, r := range reserved {
		if b.Dst == r {
			return b, fmt.Errorf("bind %s on %s: %w: %s is provided by the sandbox itself; choose another destination", b.Src, b.Dst, ErrBadBind, r)
		}
	}
	if within(b.Dst, "/proc") || within(b.Dst, "/dev") {
		return b, fmt.Errorf("bind %s on %s: %w: /proc and /dev are private to the sandbox; choose another destination", b.Src, b.Dst, ErrBadBind)
	}
	if known {
		return b, nil
	}
	if _, err := os.Stat(b.Src); err != nil {
		return b, fmt.Errorf("bind %s on %s: %w: %w", b.Src, b.Dst, ErrBadBind, err)
	}
	return b, nil
}

// within reports whether path p is dir or lies below it.
func within(p, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(p, "/")
	}
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// environ returns a copy of env that is never nil, so an empty Spec.Env
// gives an empty environment rather than the caller's.
func environ(env []string) []string {
	return append(make([]string, 0, len(env)), env...)
}

// lookupEnv returns the value of the last key=... entry in env.
func lookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v, true
		}
	}
	return "", false
}
