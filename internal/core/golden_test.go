package core

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The canonical encoding of records is a format: stored records are named
// by the digest of these bytes, so any change to it must be deliberate.
func TestRecordEncodingIsStable(t *testing.T) {
	d := func(s string) Digest { return DigestOf([]byte(s)) }
	at := time.Date(2026, 11, 26, 1, 2, 3, 4000, time.UTC)
	records := map[string]any{
		"run.json": &RunRecord{
			Type: RunType, ID: "0a1b2c3d4e5f", Flow: "iris", FlowFile: d("flow"), FlowPath: "lockstep.yaml",
			Code: d("code"), Git: &GitInfo{Commit: "abc123", Branch: "main", Dirty: true},
			Params: map[string]any{"epochs": 300, "lr": 0.1, "name": "<x>"}, Seed: 42, Sandbox: "bubblewrap",
			Status: StatusSucceeded, Host: "builder", Version: "v1", Started: at, Finished: at.Add(time.Second),
			Tasks: map[string]Digest{"train": d("task")},
		},
		"task.json": &TaskRecord{
			Type: TaskType, Run: "0a1b2c3d4e5f", Step: "train", Spec: d("spec"), Command: "python3 train.py",
			Code: d("code"), Inputs: map[string]Artifact{"train": {Digest: d("in"), Kind: KindFile, Size: 3, Source: "step:prepare.train", File: "train.csv"}},
			Outputs: map[string]Artifact{"model": {Digest: d("out"), Kind: KindTree, Size: 620}},
			Params:  map[string]any{"epochs": 300}, Seed: 42, Environment: d("env"), Sandbox: "bubblewrap",
			Status: StatusSucceeded, Started: at, Finished: at.Add(time.Second), PeakRSS: 1 << 20,
			Stdout: d("o"), Stderr: d("e"), Metrics: []byte(`{"accuracy":0.9}`), CacheKey: d("key"),
			Files: []FileReport{{Artifact: "output:model", Path: "model.safetensors", Format: "safetensors", Verdict: "clean", Summary: map[string]int64{"tensors": 4}}},
		},
		"tree.json": NewTree([]TreeEntry{
			{Path: "b/c.txt", Kind: KindFile, Mode: 0o644, Size: 1, Digest: d("c")},
			{Path: "a", Kind: KindSymlink, Mode: 0o777, Target: "b/c.txt"},
			{Path: "empty", Kind: KindDir, Mode: 0o755},
		}),
	}
	for name, rec := range records {
		got, err := CanonicalJSON(rec)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", name)
		if *update {
			os.MkdirAll("testdata", 0o755)
			if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(append(got, '\n'), want) {
			t.Errorf("%s changed:\n got %s\nwant %s", name, got, want)
		}
	}
}
