package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// networkSigns are what common tools print when a step without network
// tries to reach another host.
var networkSigns = []string{
	"Network is unreachable",
	"Temporary failure in name resolution",
	"Could not resolve host",
	"Name or service not known",
	"No address associated with hostname",
	"getaddrinfo failed",
	"Failed to establish a new connection",
}

// missingSigns mark a line that reports a path which does not exist.
var missingSigns = []string{
	"No such file or directory",
	"FileNotFoundError",
	"cannot access",
	"can't open",
	"does not exist",
}

// readOnlySigns mark a line that reports a write the sandbox refused.
var readOnlySigns = []string{"Read-only file system", "EROFS"}

// absPath finds absolute paths in a message, with or without quotes.
var absPath = regexp.MustCompile("(?:^|[\\s'\"`(:=\\[])(/[^\\s'\"`:,()\\[\\]]+)")

// notFound finds the program a shell could not find ("sh: 1: foo: not
// found", "bash: foo: command not found").
var notFound = regexp.MustCompile(`(?:^|: )([^\s:/]+): (?:command )?not found`)

// Explain returns a hint for a confined step that failed, from the end of
// its standard error and its spec: a path the step read that exists on
// this machine but was not bound, a write to a read-only place, a program
// installed outside the sandbox, or an attempt to use the network without
// Spec.Network. Hints are one per line; "" means nothing fits.
func Explain(stderr []byte, spec Spec) string {
	var hints []string
	add := func(h string) {
		for _, old := range hints {
			if old == h {
				return
			}
		}
		hints = append(hints, h)
	}
	visible := visibleDsts(spec)
	for _, line := range strings.Split(string(stderr), "\n") {
		if !spec.Network && containsAny(line, networkSigns) {
			add("the step tried to use the network: set `network: true` on the step (it is then recorded as non-hermetic), or declare what it downloads as an input")
		}
		if containsAny(line, missingSigns) {
			for _, p := range paths(line) {
				if _, err := os.Lstat(p); err == nil && !under(p, visible) {
					add(undeclaredRead(p))
				}
			}
		}
		if containsAny(line, readOnlySigns) {
			for _, p := range paths(line) {
				if !under(p, dsts(spec.Writable)) {
					add(fmt.Sprintf("the step wrote to %s, which is read-only in the sandbox (code and inputs are read-only): write results under $LOCKSTEP_OUTPUT_DIR or scratch files under /tmp", p))
				}
			}
		}
		if m := notFound.FindStringSubmatch(line); m != nil {
			if host, err := exec.LookPath(m[1]); err == nil && !under(host, visible) {
				add(fmt.Sprintf("the step ran %s, which is installed at %s outside the sandbox: put its directory on the step's PATH so its toolchain is exposed, or install it under /usr", m[1], host))
			}
		}
	}
	return strings.Join(hints, "\n")
}

// visibleDsts lists every sandbox path a confined step with spec sees as
// on the host. /tmp is not among them: the sandbox's /tmp is its own, so a
// host file there is as hidden as any other.
func visibleDsts(spec Spec) []string {
	v := append(dsts(SystemBinds()), "/proc", "/dev")
	if spec.Network {
		v = append(v, resolvConf)
	}
	return append(append(v, dsts(spec.ReadOnly)...), dsts(spec.Writable)...)
}

// dsts returns where binds appear inside the sandbox.
func dsts(binds []Bind) []string {
	out := make([]string, 0, len(binds))
	for _, b := range binds {
		if b.Dst == "" {
			b.Dst = b.Src
		}
		out = append(out, filepath.Clean(b.Dst))
	}
	return out
}

// under reports whether p lies inside one of dirs.
func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if d != "" && within(p, d) {
			return true
		}
	}
	return false
}

// paths returns the absolute paths mentioned in line, without trailing
// punctuation.
func paths(line string) []string {
	var out []string
	for _, m := range absPath.FindAllStringSubmatch(line, -1) {
		if p := strings.TrimRight(m[1], ".;!"); p != "/" && p != "" {
			out = append(out, p)
		}
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// undeclaredRead is the hint for a host file p the step read but was not
// given. Inputs are project paths (an absolute one is refused), so the
// ways that work are: bring the file into the project, register it as a
// dataset, or expose its directory with environment.paths.
func undeclaredRead(p string) string {
	return fmt.Sprintf("the step read %s, which is not declared: copy it into the project and declare it as an input "+
		"(inputs: {name: %s}, read from $LOCKSTEP_INPUT_<NAME>), register it as a dataset (lockstep data add NAME@1 %s), "+
		"or, if it belongs to a tool or library, list %s under environment.paths in the flow (exposed read-only and recorded)",
		p, filepath.Base(p), p, filepath.Dir(p))
}
