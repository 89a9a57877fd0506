package capture

import (
	"strings"
	"testing"
)

// More parsers of what a capture reads from the host (command output and
// /proc files), fuzzed: they must never panic, and what they return must
// come from their input.

func FuzzRPMList(f *testing.F) {
	f.Add("bash\t0:5.2.15-3.fc39\tx86_64\nkernel\t1:6.5-1\t(none)\n")
	f.Add("\t\t\n\x00\t:\t\n")
	f.Fuzz(func(t *testing.T, text string) {
		pkgs, err := parseRPMList(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || !strings.Contains(text, p.Name) {
				t.Fatalf("package %+v is not in the input", p)
			}
		}
	})
}

func FuzzNvidiaSMI(f *testing.F) {
	f.Add("NVIDIA A100-SXM4-80GB, 535.104.05, 81920 MiB, GPU-5a1b\n")
	f.Add("a,b,c\n\"unterminated, x, y, z\n")
	f.Fuzz(func(t *testing.T, text string) {
		gpus, err := parseNvidiaSMI(strings.NewReader(text))
		if err != nil {
			return
		}
		if len(gpus) > strings.Count(text, "\n")+1 {
			t.Fatalf("%d GPUs from %d lines", len(gpus), strings.Count(text, "\n")+1)
		}
	})
}

func FuzzCPUInfo(f *testing.F) {
	f.Add("processor\t: 0\nmodel name\t: Intel(R) Xeon(R)\nflags\t\t: fpu sse2 avx2\n\nprocessor\t: 1\n")
	f.Add(":\n::\nprocessor:\n\x00: \n")
	f.Fuzz(func(t *testing.T, text string) {
		cpu, err := parseCPUInfo(strings.NewReader(text))
		if err != nil {
			return
		}
		if cpu.Cores > strings.Count(text, "processor") {
			t.Fatalf("%d cores from %d processor lines", cpu.Cores, strings.Count(text, "processor"))
		}
	})
}
