package task

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"lockstep.dev/lockstep/internal/capture"
)

// The steps of a run share the answer about their PATH for a moment, but
// never across a step that ran outside the sandbox: such a step may have
// made a folder PATH names, which confined steps must then see.
func TestStepPathsAreSharedUntilAnUnconfinedStep(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bin")
	path := bin + ":/usr/bin:/bin"
	if p := newStepPaths(path); p.err != nil || slices.Contains(p.dirs, bin) {
		t.Fatalf("before %s exists: dirs %v, err %v", bin, p.dirs, p.err)
	}
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if p := newStepPaths(path); slices.Contains(p.dirs, bin) {
		t.Fatalf("the answer of a moment ago was not shared: dirs %v", p.dirs)
	}
	capture.UnconfinedStep()() // a step that could have made the folder
	if p := newStepPaths(path); p.err != nil || !slices.Contains(p.dirs, bin) {
		t.Fatalf("after an unconfined step: dirs %v (err %v), want %s exposed", p.dirs, p.err, bin)
	}
}
