package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoWithTheBuiltBinary runs the iris example end to end with the
// lockstep binary `make test` builds (LOCKSTEP_BIN), as a user would.
func TestDemoWithTheBuiltBinary(t *testing.T) {
	bin := os.Getenv("LOCKSTEP_BIN")
	if bin == "" {
		t.Skip("LOCKSTEP_BIN is not set (make test sets it to the built binary)")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("the demo needs python3")
	}
	dir := filepath.Join(t.TempDir(), "iris")
	if err := os.CopyFS(dir, os.DirFS("../../examples/iris")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, ".lockstep"))
	lockstep := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "LOCKSTEP_HOME=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("lockstep %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	lockstep("init")
	out := lockstep("run")
	if !strings.Contains(out, "test accuracy") || !strings.Contains(out, "succeeded") {
		t.Errorf("demo run:\n%s", out)
	}
	if out := lockstep("run"); strings.Count(out, "cached") != 3 {
		t.Errorf("second demo run is not all cache hits:\n%s", out)
	}
	if out := lockstep("show", "last"); !strings.Contains(out, "accuracy") || !strings.Contains(out, "safetensors clean") {
		t.Errorf("show:\n%s", out)
	}
	lockstep("check")
}
