package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestAvailableWithoutBwrap checks the advice a user without bubblewrap gets.
func TestAvailableWithoutBwrap(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := Available()
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Available without bwrap on PATH = %v, want ErrUnavailable", err)
	}
	for _, want := range []string{"apt-get install bubblewrap", "--sandbox none", "sandbox: none"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Available error %q does not say %q", err, want)
		}
	}
	if _, err := Command(context.Background(), Bubblewrap, Spec{Argv: []string{"true"}}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Command without bwrap = %v, want ErrUnavailable", err)
	}
}

func TestCommandRejects(t *testing.T) {
	tests := []struct {
		name string
		mode Mode
		spec Spec
		err  error
	}{
		{"unknown mode", "docker", Spec{Argv: []string{"true"}}, ErrUnknownMode},
		{"empty argv", None, Spec{}, ErrNoCommand},
		{"program not on the step's PATH", None, Spec{Argv: []string{"true"}, Env: []string{"PATH=/nonexistent"}}, ErrNoCommand},
		{"relative working directory", Bubblewrap, Spec{Argv: []string{"true"}, Dir: "work"}, ErrBadBind},
		{"bad bind", Bubblewrap, Spec{Argv: []string{"true"}, ReadOnly: []Bind{{Src: "rel"}}}, ErrBadBind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.mode == Bubblewrap {
				needBwrap(t)
			}
			if _, err := Command(context.Background(), tc.mode, tc.spec); !errors.Is(err, tc.err) {
				t.Fatalf("Command = %v, want %v", err, tc.err)
			}
		})
	}
}

// TestNoneUsesTheStepsPath checks that an unconfined command is found on
// the PATH of Spec.Env, not on lockstep's own.
func TestNoneUsesTheStepsPath(t *testing.T) {
	bin := t.TempDir()
	tool := writeFile(t, bin, "steptool", "#!/bin/sh\necho from-step-path\n")
	if err := chmodX(tool); err != nil {
		t.Fatal(err)
	}
	r := run(t, None, Spec{Argv: []string{"steptool"}, Env: []string{"PATH=" + bin}})
	if r.err != nil || r.stdout != "from-step-path\n" {
		t.Fatalf("steptool: err %v, stdout %q, stderr %q", r.err, r.stdout, r.stderr)
	}
}
