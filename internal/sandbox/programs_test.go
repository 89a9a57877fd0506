package sandbox

import (
	"reflect"
	"testing"
)

func TestPrograms(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"python3 train.py", []string{"python3"}},
		{"python3 train.py --lr 0.1 && python3 eval.py", []string{"python3"}},
		{"FOO=1 BAR='a b' python3 train.py", []string{"python3"}},
		{"env -u HOME -i A=1 python3.11 -m pip list | tee out.txt", []string{"env", "python3.11", "tee"}},
		{"exec nice -n 10 timeout -s KILL 60 Rscript fit.R", []string{"nice", "timeout", "Rscript"}},
		{"time nohup ./run.sh 2>&1 > log.txt", []string{"nohup", "./run.sh"}},
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
		{"2>err.log python3 a.py", []string{"python3"}},
		{"python3 a.py >&2", []string{"python3"}},
		{"uv run --with numpy python train.py", []string{"uv", "python"}},
		{"bash -c 'timeout 60 python3 x.py'", []string{"bash", "timeout", "python3"}},
	}
	for _, tc := range tests {
		got, err := programs(tc.line)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("programs(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
	if _, err := programs("echo 'unterminated"); err == nil {
		t.Error("a line the shell cannot parse gave no error")
	}
}
