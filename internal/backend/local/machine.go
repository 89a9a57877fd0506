package local

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"lockstep.dev/lockstep/internal/backend"
)

// machine is what this host can give one task: its cores, its memory and
// the NVIDIA GPUs its driver lists.
func machine() backend.Capacity {
	c := backend.Capacity{CPUs: float64(runtime.NumCPU())}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		c.MemoryBytes = int64(si.Totalram) * int64(si.Unit)
	}
	infos, _ := filepath.Glob("/proc/driver/nvidia/gpus/*/information")
	for _, p := range infos {
		c.GPUs++
		if model := gpuModel(p); model != "" {
			c.GPUTypes = append(c.GPUTypes, model)
		}
	}
	return c
}

// gpuModel reads the "Model:" line of an NVIDIA driver information file.
func gpuModel(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Model:"); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}
