package reproduce

import (
	"reflect"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

func TestDiffTrees(t *testing.T) {
	d1, d2 := core.DigestOf([]byte("1")), core.DigestOf([]byte("2"))
	file := func(p string, d core.Digest, mode uint32) core.TreeEntry {
		return core.TreeEntry{Path: p, Kind: core.KindFile, Mode: mode, Size: 1, Digest: d}
	}
	a := core.NewTree([]core.TreeEntry{
		file("a.py", d1, 0o644), file("b.py", d1, 0o644), file("run.sh", d1, 0o644),
		{Path: "link", Kind: core.KindSymlink, Target: "a.py"}, file("same.txt", d2, 0o644),
	})
	b := core.NewTree([]core.TreeEntry{
		file("b.py", d2, 0o644), file("c.py", d1, 0o644), file("run.sh", d1, 0o755),
		{Path: "link", Kind: core.KindSymlink, Target: "b.py"}, file("same.txt", d2, 0o644),
	})
	want := []FileChange{
		{Path: "a.py", Change: Removed, From: d1},
		{Path: "b.py", Change: Changed, From: d1, To: d2, Details: []string{"1 -> 1 bytes"}},
		{Path: "c.py", Change: Added, To: d1},
		{Path: "link", Change: Changed, Details: []string{"link a.py -> b.py"}},
		{Path: "run.sh", Change: Changed, From: d1, To: d1, Details: []string{"mode 644 -> 755"}},
	}
	if got := DiffTrees(a, b); !reflect.DeepEqual(got, want) {
		t.Errorf("DiffTrees:\n got %+v\nwant %+v", got, want)
	}
	if got := DiffTrees(a, a); len(got) != 0 {
		t.Errorf("a tree differs from itself: %+v", got)
	}
}

func TestOrderFollowsInputs(t *testing.T) {
	rec := func(sources ...string) *core.TaskRecord {
		t := &core.TaskRecord{Inputs: map[string]core.Artifact{}}
		for i, s := range sources {
			t.Inputs[string(rune('a'+i))] = core.Artifact{Source: s}
		}
		return t
	}
	a := &Run{Tasks: map[string]*core.TaskRecord{
		"zprep":    rec("path:data.csv"),
		"train":    rec("step:zprep.train"),
		"evaluate": rec("step:train.model", "step:zprep.test"),
		"alone":    rec(),
	}}
	b := &Run{Tasks: map[string]*core.TaskRecord{"report": rec("step:evaluate.metrics")}}
	want := []string{"alone", "zprep", "train", "evaluate", "report"}
	if got := order(a, b); !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}
