package sandbox

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestNamespaceProbes checks what a confined step sees of processes, host
// name, session, capabilities and environment.
func TestNamespaceProbes(t *testing.T) {
	needBwrap(t)
	tests := []struct {
		name   string
		script string
		want   string // the whole of stdout
	}{
		{"own PID namespace", `echo $$; p=$(tr '\0' ' ' < /proc/1/cmdline | cut -d' ' -f1); echo ${p##*/}; test -e /proc/` + fmt.Sprint(os.Getpid()) + ` && echo host-visible; true`, "2\nbwrap\n"},
		{"fixed host name", "hostname; cat /proc/sys/kernel/hostname", "lockstep\nlockstep\n"},
		// Without a new session the caller's session is outside the PID
		// namespace and shows as 0.
		{"new session", "cut -d' ' -f6 /proc/$$/stat", "1\n"},
		{"no capabilities", "grep CapEff /proc/self/status | tr -d '\t'", "CapEff:0000000000000000\n"},
		{"only loopback without network", "ls /sys/class/net 2>/dev/null || cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d ' '", "lo\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := sh(t, tc.script, nil, nil)
			if r.err != nil {
				t.Fatalf("%q: %v: %s", tc.script, r.err, r.stderr)
			}
			if r.stdout != tc.want {
				t.Errorf("%q printed %q, want %q", tc.script, r.stdout, tc.want)
			}
		})
	}
}

// TestEnvironmentIsExactlySpecEnv checks that nothing of lockstep's own
// environment reaches the step, in both modes.
func TestEnvironmentIsExactlySpecEnv(t *testing.T) {
	t.Setenv("LOCKSTEP_TEST_LEAK", "must-not-appear")
	env := []string{"PATH=/usr/bin:/bin", "LOCKSTEP_SEED=42", "PYTHONHASHSEED=42", "HOME=/nonexistent"}
	for _, tc := range []struct {
		mode Mode
		env  []string
	}{{Bubblewrap, env}, {Bubblewrap, nil}, {None, env}, {None, nil}} {
		t.Run(fmt.Sprintf("%s/%d vars", tc.mode, len(tc.env)), func(t *testing.T) {
			if tc.mode == Bubblewrap {
				needBwrap(t)
			}
			r := run(t, tc.mode, Spec{Argv: []string{"/usr/bin/env"}, Env: tc.env})
			if r.err != nil {
				t.Fatalf("env: %v: %s", r.err, r.stderr)
			}
			want := strings.Join(tc.env, "\n")
			if len(tc.env) > 0 {
				want += "\n"
			}
			if r.stdout != want {
				t.Errorf("env printed %q, want exactly %q", r.stdout, want)
			}
		})
	}
}

// TestNoneRunsUnconfined checks that mode None runs on the host as is: it
// sees files nobody bound, the host's name, and the given directory.
func TestNoneRunsUnconfined(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, t.TempDir(), "undeclared.txt", "visible\n")
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, None, Spec{Argv: []string{"sh", "-c", "pwd; cat " + file + "; hostname"}, Dir: dir, Env: []string{"PATH=/usr/bin:/bin"}})
	if r.err != nil {
		t.Fatalf("unconfined: %v: %s", r.err, r.stderr)
	}
	if want := dir + "\nvisible\n" + host + "\n"; r.stdout != want {
		t.Errorf("unconfined printed %q, want %q", r.stdout, want)
	}
}
