package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// profileEnv names a file that receives a CPU profile of the whole
// command (`go tool pprof bin/lockstep FILE`). It is for measuring
// lockstep itself and is not part of the documented interface. A step's
// `task exec` child inherits the variable and would overwrite the file, so
// the profile is written to FILE.PID.
const profileEnv = "LOCKSTEP_CPUPROFILE"

// startProfile starts a CPU profile when profileEnv is set and returns
// the function that stops it and writes the file.
func startProfile() func() {
	path := os.Getenv(profileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err != nil {
		fmt.Fprintf(os.Stderr, "lockstep: %s: %v\n", profileEnv, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "lockstep: %s: %v\n", profileEnv, err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
