package shell

import (
	"reflect"
	"strings"
	"testing"
)

// TestCommandsFindsWrappedPrograms checks that every form of starting a
// program finds the program, with the wrappers it goes through.
func TestCommandsFindsWrappedPrograms(t *testing.T) {
	tests := []struct {
		line string
		want []string // each command as "via>via>program"
	}{
		{"python3 train.py", []string{"python3"}},
		{"timeout 600 python3 train.py", []string{"timeout>python3"}},
		{"timeout -s KILL -k 5 600 python3 train.py", []string{"timeout>python3"}},
		{"nice -n 5 python3 x.py", []string{"nice>python3"}},
		{"nice -5 python3 x.py", []string{"nice>python3"}},
		{"env A=1 python3 x.py", []string{"env>python3"}},
		{"env -i -u HOME -C /tmp A=1 B=2 python3 x.py", []string{"env>python3"}},
		{"if test -f x; then python3 x.py; fi", []string{"test", "python3"}},
		{"cd sub && python3 x.py", []string{"cd", "python3"}},
		{"bash -c 'python3 x.py'", []string{"bash>python3"}},
		{`sh -c "cd sub; exec python3 x.py"`, []string{"sh>cd", "sh>python3"}},
		{`sh -ec -- 'python3 x.py' name arg`, []string{"sh>python3"}},
		{"sh -o errexit -c 'python3 x.py'", []string{"sh>python3"}},
		{"sh run.sh", []string{"sh"}},
		{"exec python3 x.py", []string{"python3"}},
		{"exec -a name python3 x.py", []string{"python3"}},
		{"cat list | python3 x.py | tee log", []string{"cat", "python3", "tee"}},
		{"(cd sub && python3 x.py) || { echo failed; exit 1; }", []string{"cd", "python3", "echo", "exit"}},
		{"uv run python x.py", []string{"uv>python"}},
		{"uv run --with numpy -p 3.12 --frozen python x.py", []string{"uv>python"}},
		{"uv pip install numpy", []string{"uv"}},
		{"uv run --frozen train.py --epochs 3", []string{"uv>python"}},
		{"uv run -m pkg.train", []string{"uv>python"}},
		{"poetry run python x.py", []string{"poetry>python"}},
		{"poetry -C sub run python x.py", []string{"poetry"}},
		{"find . -name '*.py' | xargs -n 1 -P 4 python3 lint.py", []string{"find", "xargs>python3"}},
		{"xargs -I {} python3 x.py {} < list", []string{"xargs>python3"}},
		{"time -p nohup stdbuf -oL python3 x.py", []string{"nohup>stdbuf>python3"}},
		{"/usr/bin/timeout 5 /usr/bin/env python3 x.py", []string{"/usr/bin/timeout>/usr/bin/env>python3"}},
		{"env -S 'A=1 python3 -u' x.py", []string{"env>python3"}},
		{"command -v python3", nil},
		{"command python3 x.py", []string{"python3"}},
		{"for f in a b; do gzip $f; done", []string{"gzip"}},
		{"while read l; do echo \"$l\"; done < list", []string{"read", "echo"}},
		{"case $x in python3) true;; esac", []string{"true"}},
		{"f() { python3 x.py; }; f", []string{"python3", "f"}},
		{"echo $(python3 -c 'print(1)')", []string{"echo", "python3"}},
		{"bash -c \"sh -c 'timeout 5 python3 x.py'\"", []string{"bash>sh>timeout>python3"}},
		{"sh -c 'echo \"unterminated'", []string{"sh"}},
		{"x=1", nil},
		{"", nil},
		{"# python3 x.py", nil},
		{"A=1 B='a b' python3 x.py 2>&1 > log", []string{"python3"}},
		{"'my tool' --flag; \"py\"thon3 x.py", []string{"my tool", "python3"}},
		{"a\\\n b", []string{"a"}},
	}
	for _, tt := range tests {
		cmds, err := Commands(tt.line)
		if err != nil {
			t.Errorf("%q: %v", tt.line, err)
			continue
		}
		var got []string
		for _, c := range cmds {
			got = append(got, strings.Join(append(append([]string(nil), c.Via...), c.Name()), ">"))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestCommandsEnvironment checks the assignments, env -u and env -i a
// command is started with, through an enclosing sh -c.
func TestCommandsEnvironment(t *testing.T) {
	cmds, err := Commands(`A=1 env -u DROP -i B="x y" sh -c 'C=$HOME/lib:${HOME}/src python3 -s "a b.py"'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 1 {
		t.Fatalf("got %d commands, want 1", len(cmds))
	}
	c := cmds[0]
	want := map[string]string{"A": "1", "B": "x y", "C": "${HOME}/lib:${HOME}/src"}
	if !reflect.DeepEqual(c.Env, want) || !c.Clear || !reflect.DeepEqual(c.Unset, []string{"DROP"}) {
		t.Errorf("env %v clear %v unset %v, want %v true [DROP]", c.Env, c.Clear, c.Unset, want)
	}
	if !reflect.DeepEqual(c.Args, []string{"python3", "-s", "a b.py"}) {
		t.Errorf("args %q", c.Args)
	}
}

func TestParseErrorNamesPosition(t *testing.T) {
	_, err := Commands("echo 'unterminated")
	if err == nil || !strings.Contains(err.Error(), "1:6") {
		t.Errorf("got %v, want an error naming line 1 column 6", err)
	}
}

// TestExec checks argument vectors as a #! line passes them.
func TestExec(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"/usr/bin/env", "python3"}, "python3"},
		{[]string{"/usr/bin/env", "-S PYTHONSAFEPATH=1 python3 -I"}, "python3"},
		{[]string{"/bin/sh"}, "/bin/sh"},
		{[]string{"/usr/bin/env"}, ""},
	}
	for _, tt := range tests {
		got := ""
		if cmds := Exec(tt.args); len(cmds) > 0 {
			got = cmds[0].Name()
		}
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestScript(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"sh", "run.sh", "a"}, "run.sh"},
		{[]string{"/bin/bash", "-e", "-o", "pipefail", "./x.sh"}, "./x.sh"},
		{[]string{"bash", "--", "-x.sh"}, "-x.sh"},
		{[]string{"bash", "-c", "python3 x.py"}, ""},
		{[]string{"bash"}, ""},
		{[]string{"python3", "x.sh"}, ""},
	}
	for _, tt := range tests {
		got, _ := Script(Command{Args: tt.args})
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.args, got, tt.want)
		}
	}
}

// TestExportReachesLaterCommands checks that export and unset change the
// environment of the commands after them, and not beyond a subshell.
func TestExportReachesLaterCommands(t *testing.T) {
	cmds, err := Commands(`export PYTHONPATH=src A; unset HOME; (export B=1; python3 a.py); python3 b.py; echo $(export C=2); python3 c.py`)
	if err != nil {
		t.Fatal(err)
	}
	var pys []Command
	for _, c := range cmds {
		if c.Name() == "python3" {
			pys = append(pys, c)
		}
	}
	if len(pys) != 3 {
		t.Fatalf("got %d python3 commands, want 3", len(pys))
	}
	want := []map[string]string{{"PYTHONPATH": "src", "B": "1"}, {"PYTHONPATH": "src"}, {"PYTHONPATH": "src"}}
	for i, c := range pys {
		if !reflect.DeepEqual(c.Env, want[i]) || !reflect.DeepEqual(c.Unset, []string{"HOME"}) {
			t.Errorf("%s: env %v unset %v, want %v [HOME]", c.Args[1], c.Env, c.Unset, want[i])
		}
	}
}
