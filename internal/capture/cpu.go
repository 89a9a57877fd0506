package capture

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// readCPU reads the processor model, logical core count and feature flags.
func readCPU() (CPU, error) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return CPU{}, fmt.Errorf("read cpu info: %w", err)
	}
	defer f.Close()
	cpu, err := parseCPUInfo(f)
	if err != nil {
		return CPU{}, fmt.Errorf("read /proc/cpuinfo: %w", err)
	}
	return cpu, nil
}

// modelKeys name the processor model on different architectures, most
// telling first ("model name" on x86, "uarch" on RISC-V, "cpu" on POWER).
var modelKeys = []string{"model name", "uarch", "cpu model", "cpu", "Hardware", "Processor"}

// parseCPUInfo reads /proc/cpuinfo text. Fields that change while the
// machine runs (MHz, bogomips) are not kept.
func parseCPUInfo(r io.Reader) (CPU, error) {
	var cpu CPU
	models := map[string]string{}
	flags := map[string]bool{}
	err := eachLine(r, func(line string) bool {
		name, value, ok := splitField(line, ':')
		if !ok {
			return true
		}
		switch name {
		case "processor":
			cpu.Cores++
		case "flags", "Features", "isa":
			for _, f := range strings.Fields(value) {
				flags[f] = true
			}
		default:
			if _, seen := models[name]; !seen {
				models[name] = value
			}
		}
		return true
	})
	for _, k := range modelKeys {
		if v := models[k]; v != "" {
			cpu.Model = v
			break
		}
	}
	for f := range flags {
		cpu.Flags = append(cpu.Flags, f)
	}
	sort.Strings(cpu.Flags)
	return cpu, err
}

// readMemTotal returns MemTotal from /proc/meminfo in bytes.
func readMemTotal() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, fmt.Errorf("read memory size: %w", err)
	}
	defer f.Close()
	var total int64
	var perr error
	err = eachLine(f, func(line string) bool {
		name, value, ok := splitField(line, ':')
		if !ok || name != "MemTotal" {
			return true
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(value, " kB"), 10, 64)
		if err != nil {
			perr = fmt.Errorf("read /proc/meminfo: MemTotal %q: %w", value, err)
		}
		total = kb * 1024
		return false
	})
	if err == nil {
		err = perr
	}
	return total, err
}
