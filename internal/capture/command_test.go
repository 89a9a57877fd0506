package capture

import (
	"reflect"
	"testing"
)

func TestFindPython(t *testing.T) {
	tests := []struct {
		cmd   string
		want  string
		env   map[string]string
		clear bool
		flags string
	}{
		{cmd: "python3 train.py", want: "python3"},
		{cmd: "/usr/bin/python3 -m mod", want: "/usr/bin/python3"},
		{cmd: "python train.py", want: "python"},
		{cmd: "python3.11 x.py", want: "python3.11"},
		{cmd: "A=1 PYTHONPATH=src python3 x.py", want: "python3", env: map[string]string{"A": "1", "PYTHONPATH": "src"}},
		{cmd: "env -i PYTHONPATH=lib python3 x.py", want: "python3", env: map[string]string{"PYTHONPATH": "lib"}, clear: true},
		{cmd: "exec python3 x.py", want: "python3"},
		{cmd: "time -p nice -n 5 python3 x.py", want: "python3"},
		{cmd: "cd src && python3 train.py", want: "python3"},
		{cmd: "make data; venv/bin/python -u run.py | tee log", want: "venv/bin/python"},
		{cmd: `"/opt/my env/bin/python3" x.py`, want: "/opt/my env/bin/python3"},
		{cmd: `X='a b' python3`, want: "python3", env: map[string]string{"X": "a b"}},
		{cmd: "python3 -s -E -u train.py -S", want: "python3", flags: "-sE"},
		{cmd: "python3 -W ignore -Is -X dev -m pkg -S", want: "python3", flags: "-Is"},
		{cmd: "python3 -Sc 'import x'", want: "python3", flags: "-S"},
		{cmd: "python3 --version -S", want: "python3"},
		{cmd: "timeout 600 python3 train.py", want: "python3"},
		{cmd: "nice -n 5 python3 x.py", want: "python3"},
		{cmd: "env A=1 python3 x.py", want: "python3", env: map[string]string{"A": "1"}},
		{cmd: "if test -f x; then python3 x.py; fi", want: "python3"},
		{cmd: "bash -c 'python3 x.py'", want: "python3"},
		{cmd: `sh -c "B=2 exec python3 -s x.py"`, want: "python3", env: map[string]string{"B": "2"}, flags: "-s"},
		{cmd: "cat in | (cd sub; python3 x.py) | tee log", want: "python3"},
		{cmd: "uv run --with numpy python x.py", want: "python"},
		{cmd: "poetry run python3 -I x.py", want: "python3", flags: "-I"},
		{cmd: "ls *.csv | xargs -n 1 python3 x.py", want: "python3"},
		{cmd: "timeout 60 env -u HOME nice -n 5 uv run python3.12 x.py", want: "python3.12"},
		{cmd: "export PYTHONPATH=lib; timeout 5 python3 x.py", want: "python3", env: map[string]string{"PYTHONPATH": "lib"}},
		{cmd: "true"},
		{cmd: "uv pip install python3"},
		{cmd: "command -v python3"},
		{cmd: "echo 'python3 x.py"},
		{cmd: "echo python3"},
		{cmd: "pythonic run"},
		{cmd: "# python3 x.py"},
		{cmd: "Rscript python3.R"},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			call := findPython(tt.cmd)
			if tt.want == "" {
				if call != nil {
					t.Fatalf("found interpreter %q in a command without one", call.Word)
				}
				return
			}
			if call == nil {
				t.Fatalf("no interpreter found, want %q", tt.want)
			}
			if call.Word != tt.want || call.Clear != tt.clear || call.Flags != tt.flags {
				t.Errorf("got %q clear=%v flags=%q, want %q clear=%v flags=%q", call.Word, call.Clear, call.Flags, tt.want, tt.clear, tt.flags)
			}
			if tt.env == nil {
				tt.env = map[string]string{}
			}
			if !reflect.DeepEqual(call.Env, tt.env) {
				t.Errorf("assignments %v, want %v", call.Env, tt.env)
			}
		})
	}
}

func TestInterpreterCallApply(t *testing.T) {
	base := map[string]string{"PATH": "/usr/bin", "HOME": "/h", "DROP": "x"}
	call := findPython("env -u DROP PYTHONPATH=$HOME/lib:${HOME}/src python3 x.py")
	got := call.apply(base)
	want := map[string]string{"PATH": "/usr/bin", "HOME": "/h", "PYTHONPATH": "/h/lib:/h/src"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if base["DROP"] != "x" {
		t.Error("apply changed the step environment")
	}
}
