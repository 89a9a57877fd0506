package scan

import (
	"bytes"
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// mapMemo is a Memo in a map, safe for concurrent use as Memo must be.
type mapMemo struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (m *mapMemo) Get(key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.m[key]
	return b, ok
}

func (m *mapMemo) Put(key string, value []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string][]byte{}
	}
	m.m[key] = value
}

// TestCacheGetGivesEachCallerItsOwnReport checks that reports remembered
// alike come back equal to what was put, under each caller's path, and
// that changing one changes no other.
func TestCacheGetGivesEachCallerItsOwnReport(t *testing.T) {
	c := NewCache(&mapMemo{}, Options{})
	want := &Report{Format: "pickle", Verdict: Unsafe, Summary: &Summary{Rows: 3},
		Findings: []Finding{{Format: "pickle", Severity: SeverityDangerous, Message: "dangerous: would import os.system",
			Globals: []Global{{Module: "os", Name: "system", Class: ClassDangerous}}, Calls: []string{"os.system('x')"}}}}
	a, b := core.DigestOf([]byte("a")), core.DigestOf([]byte("b"))
	c.Put(a, want)
	c.Put(b, want)
	var got []*Report
	for i, d := range []core.Digest{a, b, a} {
		r, ok := c.Get(d, string(rune('x'+i)))
		if !ok {
			t.Fatalf("report %d not remembered", i)
		}
		w := *want
		w.Path = string(rune('x' + i))
		if !reflect.DeepEqual(r, &w) {
			t.Fatalf("got %+v, want %+v", r, &w)
		}
		got = append(got, r)
	}
	got[0].Summary.Rows, got[0].Findings[0].Globals[0].Name, got[0].Findings[0].Calls[0] = 9, "popen", "y"
	for _, r := range got[1:] {
		if r.Summary.Rows != 3 || r.Findings[0].Globals[0].Name != "system" || r.Findings[0].Calls[0] != "os.system('x')" {
			t.Fatalf("changing one report changed another: %+v", r.Findings)
		}
	}
}

// The same bytes can get two verdicts under two names (a name can claim a
// format the bytes must then have): Entries remembers each under its
// name's extensions, and a second pass over the same files scans nothing.
func TestEntriesRemembersByContentAndExtension(t *testing.T) {
	text := []byte("hello\n")
	d := core.DigestOf(text)
	entries := []core.TreeEntry{
		{Path: "notes.txt", Kind: core.KindFile, Digest: d},
		{Path: "sub/notes.json", Kind: core.KindFile, Digest: d},
		{Path: "link", Kind: core.KindSymlink},
	}
	c := NewCache(&mapMemo{}, Options{})
	var scanned atomic.Int32
	scanBytes := func(ctx context.Context, e core.TreeEntry) (*Report, error) {
		scanned.Add(1)
		return Reader(ctx, e.Path, bytes.NewReader(text), int64(len(text)), Options{})
	}
	for pass := 1; pass <= 2; pass++ {
		reports, err := Entries(context.Background(), entries, c, scanBytes)
		if err != nil {
			t.Fatal(err)
		}
		if len(reports) != 2 || reports[0].Path != "notes.txt" || reports[0].Verdict != Clean ||
			reports[1].Path != "sub/notes.json" || reports[1].Verdict != Invalid {
			t.Fatalf("pass %d: %+v and %+v, want notes.txt clean and sub/notes.json invalid", pass, reports[0], reports[1])
		}
	}
	if n := scanned.Load(); n != 2 {
		t.Fatalf("scanned %d times over two passes, want each name once", n)
	}
}

// ScanWhole scans bytes handed to it and remembers the report under the
// file's name, so a Get for the same content and name finds it; content
// remembered already is not scanned again.
func TestScanWholeRemembers(t *testing.T) {
	if (*Cache)(nil).ScanWhole(context.Background()) != nil {
		t.Fatal("a nil cache gave a scanning function")
	}
	c := NewCache(&mapMemo{}, Options{})
	scan := c.ScanWhole(context.Background())
	pkl, text := []byte("cos\nsystem\n(S'id'\ntR."), []byte("a,b\n1,2\n")
	scan("/data/model.bin", core.DigestOf(pkl), pkl)
	scan("/data/t.csv", core.DigestOf(text), text)
	if r, ok := c.Get(core.DigestOf(pkl), "model.bin"); !ok || r.Verdict != Unsafe || r.Path != "model.bin" {
		t.Fatalf("pickle: %+v, %v; want remembered unsafe", r, ok)
	}
	if r, ok := c.Get(core.DigestOf(text), "sub/t.csv"); !ok || r.Verdict != Clean || r.Summary == nil || r.Summary.Rows != 1 {
		t.Fatalf("table: %+v, %v; want remembered clean with one row", r, ok)
	}
	// Known content is looked up, not scanned: bytes that are not the
	// ones remembered under that digest do not change the report.
	scan("/data/t.csv", core.DigestOf(text), pkl)
	if r, _ := c.Get(core.DigestOf(text), "t.csv"); r.Verdict != Clean {
		t.Fatalf("known content scanned again: %+v", r)
	}
}
