package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanPicklePolicy runs lockstep scan on pickles under each policy:
// every pickle is refused by default, even a plain list; allow-safe lets in
// pickles importing only safe-listed globals; allow lets in any without a
// dangerous import; a dangerous one is refused under every policy.
func TestScanPicklePolicy(t *testing.T) {
	dir, err := filepath.Abs("../scan/testdata/policy") // list.pkl is pickle.dumps([1, 2, 3], 2)
	if err != nil {
		t.Fatal(err)
	}
	environ := append(os.Environ(), "NO_COLOR=1")
	cases := []struct {
		name string
		args []string
		exit int
		want string
	}{
		{"plain list refused by default", []string{"list.pkl"}, 1, "list.pkl: pickle, refused\n    refused by format policy: pickle (imports nothing)"},
		{"plain list allowed by allow-safe", []string{"--pickle", "allow-safe", "list.pkl"}, 0, "list.pkl: pickle, allowed\n    pickle allowed by format policy allow-safe (imports nothing)"},
		{"unknown import refused by allow-safe", []string{"--pickle", "allow-safe", "unknown.pkl"}, 1, "imports mylib.make, not on the safe list"},
		{"safe-listed import allowed by allow-safe", []string{"--pickle", "allow-safe", "--allow-pickle-globals", "globals.txt", "unknown.pkl"}, 0, "unknown.pkl: pickle, allowed"},
		{"dangerous refused by allow-safe", []string{"--pickle", "allow-safe", "evil.pkl"}, 1, "evil.pkl: pickle, unsafe\n    dangerous: would call os.system('id')"},
		{"allow lets an unknown import in, loudly", []string{"--pickle", "allow", "unknown.pkl"}, 0, "! unknown.pkl: pickle, allowed\n    pickle allowed by format policy allow (imports mylib.make, not on the safe list): loading it runs code lockstep cannot vouch for"},
		{"allow-pickle is allow", []string{"--allow-pickle", "unknown.pkl"}, 0, "unknown.pkl: pickle, allowed"},
		{"dangerous refused by allow", []string{"--pickle", "allow", "evil.pkl"}, 1, "dangerous: would call os.system('id')"},
		{"unknown policy", []string{"--pickle", "warn", "list.pkl"}, 2, ""},
		{"contradicting flags", []string{"--pickle", "allow-safe", "--allow-pickle", "list.pkl"}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := runCLI(t, dir, environ, c.exit, append([]string{"scan"}, c.args...)...)
			if !strings.Contains(out, c.want) {
				t.Fatalf("lockstep scan %s printed:\n%s\nwant it to contain:\n%s", strings.Join(c.args, " "), out, c.want)
			}
		})
	}
}

// TestRunPicklePolicy runs a flow whose step writes a pickled plain list:
// the step is refused by default, naming the policy and the way out; under
// allow-safe it succeeds and the warning is recorded where show lists it.
func TestRunPicklePolicy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs flows")
	}
	const flow = `flow: pk
sandbox: none
steps:
  make:
    run: python3 -c 'import pickle, sys; open(sys.argv[1], "wb").write(pickle.dumps([1, 2, 3]))' $LOCKSTEP_OUTPUT_DIR/list.pkl
    outputs: {list: list.pkl}
  use:
    run: cat "$LOCKSTEP_INPUT_DATA" > /dev/null && echo ok > $LOCKSTEP_OUTPUT_DIR/ok.txt
    inputs: {data: in.pkl}
    outputs: {ok: ok.txt}
`
	p := newProject(t, flow, map[string]string{"in.pkl": "\x80\x02]q\x00(K\x01K\x02K\x03e."})
	r := p.mustRun(1, "run")
	for _, want := range []string{"list.pkl is refused (pickle): refused by format policy: pickle (imports nothing)", "formats: {pickle: allow-safe}"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("refused run does not say %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if err := os.WriteFile(filepath.Join(p.dir, "lockstep.yaml"), []byte(strings.Replace(flow, "sandbox: none\n", "sandbox: none\nformats: {pickle: allow-safe}\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r = p.mustRun(0, "run")
	for _, want := range []string{"lockstep: warning: output:list: pickle allowed by format policy allow-safe (imports nothing)",
		"lockstep: warning: input:data: pickle allowed by format policy allow-safe (imports nothing)"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("run does not warn %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	show := p.mustRun(0, "show", "last")
	for _, want := range []string{"file output:list: pickle allowed", "file input:data: pickle allowed", "pickle allowed by format policy allow-safe (imports nothing)"} {
		if !strings.Contains(show.stdout, want) {
			t.Errorf("show does not record %q:\n%s", want, show.stdout)
		}
	}
}
