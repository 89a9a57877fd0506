package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"lockstep.dev/lockstep/internal/hostcache"
)

// Mode says how a step's command is confined.
type Mode string

// The modes a step may ask for.
const (
	// Bubblewrap confines the command with bwrap.
	Bubblewrap Mode = "bubblewrap"
	// None runs the command directly on the host, unconfined.
	None Mode = "none"
)

// ErrUnavailable is wrapped by Available when bubblewrap cannot confine
// commands on this machine.
var ErrUnavailable = errors.New("sandbox unavailable")

// ErrUnknownMode is wrapped by Command for a mode that is
// neither Bubblewrap nor None.
var ErrUnknownMode = errors.New("unknown sandbox mode")

// optOut is the advice every unavailability error ends with.
const optOut = "or run unconfined with `--sandbox none` (or `sandbox: none` on the step), which is recorded as unconfined"

// Available reports whether bubblewrap is installed and can create the
// namespaces Command uses on this machine. The error wraps ErrUnavailable
// and says how to install bubblewrap or enable user namespaces, and how to
// opt out of confinement.
func Available() error {
	path := os.Getenv("PATH")
	if p := availableWith.Load(); p != nil && *p == path {
		return nil
	}
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		return fmt.Errorf("%w: bubblewrap (bwrap) is not installed: install it with `apt-get install bubblewrap` (Debian, Ubuntu) or `dnf install bubblewrap` (Fedora), %s", ErrUnavailable, optOut)
	}
	// A success is remembered for this boot while bwrap and the settings
	// that allow user namespaces stay the same (a failure is asked again).
	key := "bwrap-available\x00" + bwrap
	for _, f := range namespaceSettings {
		b, _ := os.ReadFile(f)
		key += "\x00" + string(b)
	}
	_, err = hostcache.Remember(hostcache.Shared(), key, []string{bwrap}, func() (bool, []string, error) {
		return true, nil, tryBwrap(bwrap)
	})
	if err == nil {
		availableWith.Store(&path)
	}
	return err
}

// availableWith is the PATH under which Available last succeeded in this
// process. Every step of a run asks again, and the answer, which costs
// looking bwrap up and reading the kernel's settings, does not change
// under a running process except by a bwrap removed or a setting turned
// off, which the step's own bwrap then reports.
var availableWith atomic.Pointer[string]

// namespaceSettings are the kernel settings that decide whether bwrap
// may create namespaces, and the boot's identity.
var namespaceSettings = []string{
	"/proc/sys/kernel/random/boot_id",
	"/proc/sys/kernel/unprivileged_userns_clone",
	"/proc/sys/user/max_user_namespaces",
	"/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
}

// tryBwrap runs `true` in the namespaces Command uses.
func tryBwrap(bwrap string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	probe := exec.CommandContext(ctx, bwrap,
		"--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
		"--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
		"--die-with-parent", "--new-session", "--cap-drop", "ALL",
		"--", "true")
	probe.Env = []string{"PATH=/usr/bin:/bin"}
	var stderr bytes.Buffer
	probe.Stderr = &stderr
	if err := probe.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%w: %s cannot create namespaces here (%s): enable unprivileged user namespaces "+
			"(`sysctl kernel.unprivileged_userns_clone=1` on Debian, `sysctl kernel.apparmor_restrict_unprivileged_userns=0` on Ubuntu 24.04, "+
			"`sysctl user.max_user_namespaces=15000` elsewhere; in a container, allow user namespaces or run it privileged), %s",
			ErrUnavailable, bwrap, msg, optOut)
	}
	return nil
}
