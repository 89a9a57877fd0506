package flow

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestLoadGolden loads an example with every key and compares the parsed
// Flow, as JSON, with testdata/iris.golden.json.
func TestLoadGolden(t *testing.T) {
	f, err := Load(filepath.Join("testdata", "iris", "lockstep.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wantDir, err := filepath.Abs(filepath.Join("testdata", "iris"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Dir != wantDir {
		t.Errorf("Dir = %q, want %q", f.Dir, wantDir)
	}
	f.Dir = "" // differs between machines
	got, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "iris.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("parsed flow differs from %s (run go test -update to accept):\n%s", golden, got)
	}
}
