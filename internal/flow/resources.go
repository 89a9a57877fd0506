package flow

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// resources decodes a step's "resources" mapping.
func (p *parser) resources(n *yaml.Node, field string) Resources {
	var r Resources
	m := p.fields(n, field, "cpus", "memory", "gpus", "time")
	if e, ok := m["cpus"]; ok {
		if v, ok := p.number(e.val, field+".cpus"); ok {
			if v <= 0 {
				p.report(e.val, field+".cpus", "ask for at least a fraction of a CPU, e.g. 0.5", "want more than 0, got %v", v)
			}
			r.CPUs = v
		}
	}
	if e, ok := m["gpus"]; ok {
		if v, ok := p.integer(e.val, field+".gpus"); ok {
			if v < 0 || v > 1024 {
				p.report(e.val, field+".gpus", "", "want between 0 and 1024, got %d", v)
			}
			r.GPUs = int(v)
		}
	}
	if e, ok := m["memory"]; ok {
		if s, ok := p.str(e.val, field+".memory"); ok {
			if b, err := parseSize(s); err != nil {
				p.report(e.val, field+".memory", "use a size like 512MiB, 4GiB or 4G", "%v", err)
			} else {
				r.MemoryBytes = b
			}
		}
	}
	if e, ok := m["time"]; ok {
		if s, ok := p.str(e.val, field+".time"); ok {
			if d, err := time.ParseDuration(s); err != nil || d <= 0 {
				p.report(e.val, field+".time", "use a duration like 90m, 1h30m or 12h", "invalid time limit %q", s)
			} else {
				r.Time = d
			}
		}
	}
	return r
}

// sizeUnits maps a unit suffix to bytes. Single letters and the "i" forms
// are binary (as Slurm and Kubernetes' Gi), the "B" forms decimal.
var sizeUnits = map[string]float64{
	"": 1, "B": 1,
	"K": 1 << 10, "Ki": 1 << 10, "KiB": 1 << 10, "KB": 1e3,
	"M": 1 << 20, "Mi": 1 << 20, "MiB": 1 << 20, "MB": 1e6,
	"G": 1 << 30, "Gi": 1 << 30, "GiB": 1 << 30, "GB": 1e9,
	"T": 1 << 40, "Ti": 1 << 40, "TiB": 1 << 40, "TB": 1e12,
}

// parseSize parses "4GiB", "512M", "1.5GB" or a plain number of bytes.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	num, unit := t[:i], strings.TrimSpace(t[i:])
	mult, known := sizeUnits[unit]
	if num == "" || !known {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	b := v * mult
	if b <= 0 || b >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is out of range", s)
	}
	return int64(b), nil
}
