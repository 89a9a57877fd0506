package reproduce

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleReport is a reproduction that differs in every way a report shows.
func sampleReport() *Report {
	d := func(s string) core.Digest { return core.DigestOf([]byte(s)) }
	delta := 0.01
	return &Report{
		Type: ReportType, Original: "aaaaaaaaaaaa", Rerun: "bbbbbbbbbbbb",
		OriginalRecord: d("run a"), RerunRecord: d("run b"), Verdict: Differs, FirstDifference: "train",
		Code:      []FileChange{{Path: "train.py", Change: Changed, From: d("v1"), To: d("v2")}},
		Tolerance: Tolerance{RTol: 1e-6},
		Tasks: []TaskResult{
			{Step: "prepare", Verdict: Reproduced, InputsMatch: true, Original: d("t1"), Rerun: d("t2"),
				Outputs: []OutputDiff{{Name: "train", Verdict: Reproduced, Kind: core.KindFile, Original: d("csv"), Rerun: d("csv"), OriginalSize: 10, RerunSize: 10}}},
			{Step: "train", Verdict: Differs, InputsMatch: true, Original: d("t3"), Rerun: d("t4"),
				Outputs: []OutputDiff{{Name: "model", Verdict: Differs, Kind: core.KindTree, Original: d("m1"), Rerun: d("m2"), OriginalSize: 300, RerunSize: 310,
					Files: []FileChange{
						{Path: "weights.bin", Change: Changed, From: d("w1"), To: d("w2"), Verdict: Differs, Details: []string{"200 -> 210 bytes, 1 -> 2"}},
						{Path: "extra.txt", Change: Added, To: d("x"), Verdict: Differs},
					}}},
				Metrics:     []ValueChange{{Name: "loss", From: "0.5", To: "0.51", Delta: &delta}},
				Environment: []capture.Change{{Field: "libc", From: "glibc 2.36", To: "glibc 2.38"}, {Field: "python package numpy", From: "1.24.2", To: "1.26.4"}},
			},
			{Step: "evaluate", Verdict: Differs, Original: d("t5"), Rerun: d("t6"), ConsequenceOf: []string{"train"},
				Inputs:  []Change{{Name: "model", From: string(d("m1")), To: string(d("m2"))}},
				Outputs: []OutputDiff{{Name: "metrics", Verdict: Differs, Kind: core.KindFile, Details: []string{"accuracy: 0.9 -> 0.8 (-0.1)"}}},
			},
		},
	}
}

func TestExplainGolden(t *testing.T) {
	rep := sampleReport()
	text := strings.Join(rep.Explain(), "\n") + "\n"
	golden(t, "explain.golden", []byte(text))
	b, err := core.CanonicalJSON(rep)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "report.golden.json", append(b, '\n'))
	if !strings.Contains(text, "train: outputs differ; first difference; environment differs: libc glibc 2.36 -> glibc 2.38, numpy 1.24.2 -> 1.26.4") {
		t.Errorf("the train line does not name the environment changes:\n%s", text)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n got:\n%s\nwant:\n%s", name, got, want)
	}
}
