package capture

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// nvidiaQuery is the nvidia-smi query whose output parseNvidiaSMI reads.
var nvidiaQuery = []string{"--query-gpu=name,driver_version,memory.total,uuid", "--format=csv,noheader"}

// readGPUs lists NVIDIA GPUs. A machine without nvidia-smi has none; an
// nvidia-smi that fails (no driver loaded, as in many containers) is
// reported as an error so the caller can decide.
func readGPUs(ctx context.Context) ([]GPU, error) {
	smi, err := exec.LookPath("nvidia-smi")
	if err != nil {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, smi, nvidiaQuery...).Output()
	if err != nil {
		return nil, fmt.Errorf("list gpus with %s: %w", smi, err)
	}
	gpus, err := parseNvidiaSMI(strings.NewReader(string(out)))
	if err != nil {
		return nil, fmt.Errorf("list gpus with %s: %w", smi, err)
	}
	return gpus, nil
}

// parseNvidiaSMI reads "name, driver, 81920 MiB, GPU-uuid" lines.
func parseNvidiaSMI(r io.Reader) ([]GPU, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = 4
	var gpus []GPU
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return gpus, nil
		}
		if err != nil {
			return nil, err
		}
		mem, err := parseMiB(rec[2])
		if err != nil {
			return nil, fmt.Errorf("gpu %q memory: %w", rec[0], err)
		}
		gpus = append(gpus, GPU{Name: strings.TrimSpace(rec[0]), Driver: strings.TrimSpace(rec[1]), MemoryBytes: mem, UUID: strings.TrimSpace(rec[3])})
	}
}

// parseMiB turns "81920 MiB" into bytes; "[N/A]" gives 0.
func parseMiB(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(s, "MiB")), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size in MiB", s)
	}
	return n << 20, nil
}
