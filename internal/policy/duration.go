package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseAge reads a maximum age: a number with a unit of d (days) or w
// (weeks), or anything time.ParseDuration accepts ("36h", "90m").
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for unit, size := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, unit); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil || v <= 0 || v > 1e5 {
				return 0, fmt.Errorf("%q is not a positive number of %s", s, map[string]string{"d": "days", "w": "weeks"}[unit])
			}
			return time.Duration(v * float64(size)), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration (write e.g. 90d, 2w or 36h)", s)
	}
	return d, nil
}

// formatAge writes d the way a policy would: whole days when it is some.
func formatAge(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
