package scan

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestZipBehindAPrefixIsScanned: a zip whose members follow a prefix of
// other bytes still opens in zip readers that look only at the end of the
// file; its pickle is scanned whether the file is shorter than the head
// the scanner reads first or longer than the 64 KiB searched at the end.
func TestZipBehindAPrefixIsScanned(t *testing.T) {
	z := buildZip(zipMember{name: "archive/data.pkl", data: []byte(call0("os", "system", "id"))})
	for _, prefix := range []int{10, 3000, 200_000} {
		b := append([]byte("#"+strings.Repeat("x", prefix-2)+"\n"), z...)
		r, err := Reader(context.Background(), "model.bin", bytes.NewReader(b), int64(len(b)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != Unsafe {
			t.Errorf("%d-byte prefix: verdict %s, want %s (findings %v)", prefix, r.Verdict, Unsafe, r.Findings)
		}
	}
}

// TestEndOfZipAllocatesNothing: looking for a zip at the end of a small
// file that is none allocates nothing, whatever the file's size.
func TestEndOfZipAllocatesNothing(t *testing.T) {
	for _, size := range []int{100, 16 << 10, 1 << 20} {
		b := bytes.Repeat([]byte("plain text, no zip here\n"), size/24+1)[:size]
		ra := bytes.NewReader(b)
		head := b[:min(len(b), headSize)]
		hasEndOfZip(ra, int64(len(b)), head) // fill the pool
		if n := testing.AllocsPerRun(20, func() { hasEndOfZip(ra, int64(len(b)), head) }); n != 0 {
			t.Errorf("%d-byte file: %v allocations, want 0", size, n)
		}
	}
}

// BenchmarkScanSmallFiles measures the scanner over a 16 KiB file that
// is no known format, the common case of a data tree.
func BenchmarkScanSmallFiles(b *testing.B) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Reader(context.Background(), "f.bin", bytes.NewReader(data), int64(len(data)), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
