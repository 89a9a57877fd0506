package core

import "testing"

func TestParseSizes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"4GiB", 4 << 30}, {"4G", 4 << 30}, {"4Gi", 4 << 30}, {"4GB", 4e9},
		{"512MiB", 512 << 20}, {"1.5GiB", 3 << 29}, {"1024", 1024}, {"100 KB", 100e3}, {"2T", 2 << 40},
	}
	for _, tc := range tests {
		got, err := ParseSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "GiB", "4 gigs", "-1G", "0", "1.2.3M", "9999999T"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
}
