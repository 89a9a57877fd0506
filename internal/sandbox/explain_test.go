package sandbox

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	home := t.TempDir()
	data := writeFile(t, home, "data.csv", "x\n")
	inputs := t.TempDir()
	bound := writeFile(t, inputs, "in.csv", "x\n")
	out := t.TempDir()
	tools := t.TempDir()
	tool := writeFile(t, tools, "mytool", "#!/bin/sh\n")
	if err := chmodX(tool); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", tools+":/usr/bin:/bin")
	spec := Spec{ReadOnly: []Bind{{Src: inputs}}, Writable: []Bind{{Src: out}}}
	withNet := spec
	withNet.Network = true

	tests := []struct {
		name   string
		stderr string
		spec   Spec
		want   []string // wanted in the hint; none means the hint is ""
	}{
		{"undeclared file, cat", "cat: " + data + ": No such file or directory", spec,
			[]string{"the step read " + data + ", which is not declared", "inputs: {name: data.csv}", "lockstep data add NAME@1 " + data,
				"list " + filepath.Dir(data) + " under environment.paths"}},
		{"undeclared file, python", "Traceback (most recent call last):\nFileNotFoundError: [Errno 2] No such file or directory: '" + data + "'", spec,
			[]string{"the step read " + data + ", which is not declared"}},
		{"undeclared file, pandas", "FileNotFoundError: [Errno 2] No such file or directory: \"" + data + "\".", spec,
			[]string{data + ", which is not declared"}},
		{"declared input that is missing", "cat: " + filepath.Join(inputs, "gone.csv") + ": No such file or directory", spec, nil},
		{"missing on the host too", "cat: /nonexistent/lockstep/data.csv: No such file or directory", spec, nil},
		{"relative path", "cat: data.csv: No such file or directory", spec, nil},
		{"resolve failure", "curl: (6) Could not resolve host: example.com", spec, []string{"set `network: true` on the step"}},
		{"python network", "OSError: [Errno 101] Network is unreachable", spec, []string{"set `network: true` on the step"}},
		{"name resolution", "socket.gaierror: [Errno -3] Temporary failure in name resolution", spec, []string{"network: true"}},
		{"network already on", "curl: (6) Could not resolve host: example.com", withNet, nil},
		{"write to an input", "sh: 1: cannot create " + bound + ": Read-only file system", spec,
			[]string{"the step wrote to " + bound + ", which is read-only", "$LOCKSTEP_OUTPUT_DIR"}},
		{"python write to an input", "OSError: [Errno 30] Read-only file system: '" + bound + "'", spec, []string{"wrote to " + bound}},
		{"program outside the sandbox", "sh: 1: mytool: not found", spec, []string{"mytool, which is installed at " + tool + " outside the sandbox"}},
		{"bash program outside", "bash: line 1: mytool: command not found", spec, []string{"installed at " + tool}},
		{"program nowhere", "sh: 1: no-such-tool-anywhere: not found", spec, nil},
		{"unrelated failure", "ValueError: bad learning rate", spec, nil},
		{"empty", "", spec, nil},
		{"two causes", "cat: " + data + ": No such file or directory\ncurl: (6) Could not resolve host: x", spec,
			[]string{data + ", which is not declared", "\n", "network: true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Explain([]byte(tc.stderr), tc.spec)
			if len(tc.want) == 0 && got != "" {
				t.Fatalf("Explain(%q) = %q, want no hint", tc.stderr, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("Explain(%q) = %q, want %q in it", tc.stderr, got, w)
				}
			}
			if strings.Contains(got, "{name: /") {
				t.Errorf("Explain(%q) suggests an absolute input, which a flow refuses: %q", tc.stderr, got)
			}
		})
	}
}

func TestExplainRepeatsNothing(t *testing.T) {
	line := "curl: (6) Could not resolve host: example.com\n"
	got := Explain([]byte(strings.Repeat(line, 5)), Spec{})
	if strings.Count(got, "network: true") != 1 {
		t.Errorf("Explain of a repeated error = %q, want the hint once", got)
	}
}

// FuzzExplain feeds arbitrary step output to Explain, which must not panic
// and must give the same hint for the same input.
func FuzzExplain(f *testing.F) {
	for _, s := range []string{
		"cat: /etc/shadow: No such file or directory",
		"FileNotFoundError: [Errno 2] No such file or directory: '/root'",
		"sh: 1: cannot create /usr/x: Read-only file system",
		"sh: 1: ls: not found",
		"Network is unreachable",
		"(/:/=/[/",
	} {
		f.Add([]byte(s))
	}
	spec := Spec{ReadOnly: []Bind{{Src: "/usr"}}}
	f.Fuzz(func(t *testing.T, stderr []byte) {
		if a, b := Explain(stderr, spec), Explain(stderr, spec); a != b {
			t.Fatalf("Explain(%q) gave %q then %q", stderr, a, b)
		}
	})
}
