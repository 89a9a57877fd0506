package scan

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

var threeMembers = buildZip(zipMember{name: "a", data: []byte("1")}, zipMember{name: "b", data: []byte("2")}, zipMember{name: "c", data: []byte("3")})

func TestLimits(t *testing.T) {
	nested := buildZip(zipMember{name: "x.pkl", data: []byte(evil0)})
	for i := 0; i < 4; i++ {
		nested = buildZip(zipMember{name: "z.zip", data: nested})
	}
	cases := []struct {
		name   string
		data   []byte
		limits Limits
		want   Verdict
		reason string
	}{
		{"opcodes", []byte(proto(2) + "]" + strings.Repeat("K\x01a", 1000) + "."), Limits{MaxOpcodes: 500}, Unscannable, "Limits.MaxOpcodes"},
		{"memo", []byte(proto(4) + strings.Repeat("N\x94", 100) + "."), Limits{MaxMemo: 50}, Unscannable, "Limits.MaxMemo"},
		{"memory", []byte(proto(4) + strings.Repeat(ustr(strings.Repeat("x", 50))+"\x94", 200) + "."), Limits{MaxMemory: 10_000}, Unscannable, "Limits.MaxMemory"},
		{"stack", []byte(strings.Repeat("(", 1000) + "."), Limits{MaxStack: 100}, Unscannable, "Limits.MaxStack"},
		{"string", []byte(proto(4) + "\x8e" + le64(1<<20) + strings.Repeat("x", 1<<20) + "."), Limits{MaxString: 1 << 10}, Unscannable, "Limits.MaxString"},
		{"nesting", nested, Limits{MaxDepth: 3}, Unscannable, "Limits.MaxDepth"},
		{"nesting hides nothing dangerous", nested, Limits{}, Unsafe, ""},
		{"decompressed size", gzipOf([]byte("a,b\n" + strings.Repeat("1,2\n", 1<<16))), Limits{MaxDecompressed: 64 << 10}, Unscannable, "Limits.MaxDecompressed"},
		{"members", buildZip(zipMember{name: "a", data: []byte("1")}, zipMember{name: "b", data: []byte("2")}, zipMember{name: "c", data: []byte("3")}), Limits{MaxMembers: 2}, Unscannable, "Limits.MaxMembers"},
		{"csv line", []byte("a,b\n1,2\n3," + strings.Repeat("4", 5000) + "\n"), Limits{MaxHeader: 1000}, Unscannable, "Limits.MaxHeader"},
		{"members across nesting levels", buildZip(zipMember{name: "1.zip", data: threeMembers}, zipMember{name: "2.zip", data: threeMembers}), Limits{MaxMembers: 4}, Unscannable, "Limits.MaxMembers"},
		{"limit after a dangerous call", []byte(evil4[:len(evil4)-1] + strings.Repeat("N", 1000) + "."), Limits{MaxOpcodes: 100}, Unsafe, "Limits.MaxOpcodes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Reader(context.Background(), "f", bytes.NewReader(c.data), int64(len(c.data)), Options{Limits: c.limits})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != c.want {
				t.Fatalf("verdict %s, want %s: %+v", rep.Verdict, c.want, rep.Findings)
			}
			if c.reason == "" {
				return
			}
			for _, f := range rep.Findings {
				if f.Severity == SeverityUnscannable && strings.Contains(f.Message, c.reason) {
					return
				}
			}
			t.Errorf("no unscannable finding naming %s: %+v", c.reason, rep.Findings)
		})
	}
}

// TestOverlappingZipMembers checks a central directory entry that points
// inside another member's data is scanned and flagged.
func TestOverlappingZipMembers(t *testing.T) {
	inner := buildZip(zipMember{name: "b", data: []byte(evil4)})
	local := inner[:30+1+len(evil4)]
	b := buildZip(zipMember{name: "a", data: local}, zipMember{name: "b", data: []byte(evil4), cdOnly: true, offset: 30 + 1})
	rep, err := Reader(context.Background(), "bomb.zip", bytes.NewReader(b), int64(len(b)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var overlap bool
	for _, f := range rep.Findings {
		overlap = overlap || (f.Member == "b" && strings.Contains(f.Message, "overlaps"))
	}
	if rep.Verdict != Unsafe || !overlap {
		t.Fatalf("verdict %s, overlap flagged %v: %+v", rep.Verdict, overlap, rep.Findings)
	}
}

func TestRatioLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("expands 80 MiB")
	}
	csv := gzipOf([]byte("a,b\n" + strings.Repeat("1,2\n", 20<<20)))
	rep, err := Reader(context.Background(), "t.csv.gz", bytes.NewReader(csv), int64(len(csv)), Options{Limits: Limits{MaxRatio: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Unscannable || !strings.Contains(rep.Findings[0].Message, "Limits.MaxRatio") {
		t.Fatalf("verdict %s, want unscannable for the ratio: %+v", rep.Verdict, rep.Findings)
	}
}

// TestParquetHostileFooter checks a footer that declares more list items
// than it holds is refused before the Parquet library allocates them.
func TestParquetHostileFooter(t *testing.T) {
	// FileMetaData{1: version=1, 2: schema=list<struct> of 2^31 items}
	footer := "\x15\x02\x19\xfc\xff\xff\xff\xff\x07\x00"
	b := "PAR1" + footer + le32(len(footer)) + "PAR1"
	_, _, err := checkParquet(strings.NewReader(b), int64(len(b)))
	if err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("hostile footer: %v", err)
	}
	rep, err := Reader(context.Background(), "t.parquet", strings.NewReader(b), int64(len(b)), Options{})
	if err != nil || rep.Verdict != Invalid {
		t.Fatalf("%v %+v", err, rep)
	}
}
