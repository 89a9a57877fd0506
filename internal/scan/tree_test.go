package scan

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestTree(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b/evil.bin":   evil4,
		"a/data.csv":   "x,y\n1,2\n",
		"a/notes.txt":  "hello\n",
		"c/d/model.pt": string(buildZip(zipMember{name: "archive/data.pkl", data: []byte(evil0)})),
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	os.Symlink(filepath.Join(dir, "b/evil.bin"), filepath.Join(dir, "link.bin"))
	reps, err := Tree(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		path    string
		verdict Verdict
	}{{"a/data.csv", Clean}, {"a/notes.txt", Clean}, {"b/evil.bin", Unsafe}, {"c/d/model.pt", Unsafe}}
	if len(reps) != len(want) {
		t.Fatalf("got %d reports, want %d (symbolic links are not followed)", len(reps), len(want))
	}
	for i, w := range want {
		if reps[i].Path != filepath.Join(dir, w.path) || reps[i].Verdict != w.verdict {
			t.Errorf("report %d: %s %s, want %s %s", i, reps[i].Path, reps[i].Verdict, w.path, w.verdict)
		}
	}
	if _, err := Tree(context.Background(), filepath.Join(dir, "missing"), Options{}); err == nil {
		t.Error("missing directory accepted")
	}
}

func TestFileONNXSymlink(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "m.onnx"), onnxModel("weights.bin"), 0o644)
	os.WriteFile(filepath.Join(dir, "ok.onnx"), onnxModel("real.bin"), 0o644)
	os.WriteFile(filepath.Join(dir, "real.bin"), make([]byte, 16), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(dir, "weights.bin"))
	rep, err := File(context.Background(), filepath.Join(dir, "m.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Unsafe || rep.Format != "onnx" {
		t.Fatalf("symlinked external data: %s %s %+v", rep.Format, rep.Verdict, rep.Findings)
	}
	rep, err = File(context.Background(), filepath.Join(dir, "ok.onnx"), Options{})
	if err != nil || rep.Verdict != Clean {
		t.Fatalf("external data beside the model: %v %+v", err, rep)
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := File(context.Background(), filepath.Join(dir, "missing"), Options{}); err == nil {
		t.Error("missing file accepted")
	}
	if _, err := File(context.Background(), dir, Options{}); err == nil {
		t.Error("directory accepted as a file")
	}
}
