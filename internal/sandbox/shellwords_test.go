package sandbox

import (
	"reflect"
	"testing"
)

func TestCommandNames(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"python3 train.py", []string{"python3"}},
		{"python3 train.py --lr 0.1 && python3 eval.py", []string{"python3"}},
		{"FOO=1 BAR='a b' python3 train.py", []string{"python3"}},
		{"env -u HOME -i A=1 python3.11 -m pip list | tee out.txt", []string{"python3.11", "tee"}},
		{"exec nice -n 10 timeout -s KILL 60 Rscript fit.R", []string{"Rscript"}},
		{"time nohup ./run.sh 2>&1 > log.txt", []string{"./run.sh"}},
		{"cat < in.csv > out.csv; sort -u out.csv", []string{"cat", "sort"}},
		{"'my tool' --flag; \"py\"thon3 x.py", []string{"my tool", "python3"}},
		{"if test -f x; then python3 a.py; else julia b.jl; fi", []string{"test", "python3", "julia"}},
		{"for f in a b c; do gzip $f; done", []string{"gzip"}},
		{"while read l; do echo \"$l\"; done < list", []string{"read", "echo"}},
		{"(cd sub && make) || { echo failed; exit 1; }", []string{"cd", "make", "echo", "exit"}},
		{"python3 train.py # node is only mentioned\nRscript plot.R", []string{"python3", "Rscript"}},
		{"a\\\n b", []string{"a"}},
		{"x=1", nil},
		{"", nil},
		{"echo 'unterminated", []string{"echo"}},
		{"2>err.log python3 a.py", []string{"python3"}},
		{"python3 a.py >&2", []string{"python3"}},
	}
	for _, tc := range tests {
		if got := commandNames(tc.line); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("commandNames(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

// FuzzCommandNames feeds arbitrary command lines from lockstep.yaml to the
// splitter: it must not panic, and every name it returns is a real word.
func FuzzCommandNames(f *testing.F) {
	for _, s := range []string{"python3 train.py", "A=1 env -u X nice -n 3 py 2>&1 | tee 'x y'", "if a; then b; fi", "for x in 1; do c; done", "'\\\"", "#!\n\\", "timeout"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		seen := map[string]bool{}
		for _, name := range commandNames(line) {
			if name == "" || seen[name] {
				t.Fatalf("commandNames(%q) returned an empty or repeated name %q", line, name)
			}
			seen[name] = true
		}
	})
}
