package backendtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Main runs a package's tests with *bin set to a lockstep binary for
// executors to run: $LOCKSTEP_BIN, else one built for this test run (and
// removed after). Call it from TestMain.
func Main(m *testing.M, bin *string) {
	code, err := withBinary(m, bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func withBinary(m *testing.M, bin *string) (int, error) {
	if *bin = os.Getenv("LOCKSTEP_BIN"); *bin != "" {
		return m.Run(), nil
	}
	dir, err := os.MkdirTemp("", "lockstep-bin-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	*bin = filepath.Join(dir, "lockstep")
	cmd := exec.Command("go", "build", "-o", *bin, "lockstep.dev/lockstep/cmd/lockstep")
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("build lockstep for the integration tests: %v\n%s", err, out)
	}
	return m.Run(), nil
}
