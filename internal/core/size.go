package core

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeUnits maps a unit suffix to bytes. Single letters and the "i" forms
// are binary (as Slurm and Kubernetes' Gi), the "B" forms decimal.
var sizeUnits = map[string]float64{
	"": 1, "B": 1,
	"K": 1 << 10, "Ki": 1 << 10, "KiB": 1 << 10, "KB": 1e3,
	"M": 1 << 20, "Mi": 1 << 20, "MiB": 1 << 20, "MB": 1e6,
	"G": 1 << 30, "Gi": 1 << 30, "GiB": 1 << 30, "GB": 1e9,
	"T": 1 << 40, "Ti": 1 << 40, "TiB": 1 << 40, "TB": 1e12,
}

// ParseSize parses a positive size: "4GiB", "512M", "1.5GB" or a plain
// number of bytes.
func ParseSize(s string) (int64, error) {
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
