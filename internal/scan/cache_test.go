package scan

import (
	"reflect"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// mapMemo is a Memo in a map.
type mapMemo map[string][]byte

func (m mapMemo) Get(key string) ([]byte, bool) { b, ok := m[key]; return b, ok }
func (m mapMemo) Put(key string, value []byte)  { m[key] = value }

// TestCacheGetGivesEachCallerItsOwnReport checks that reports remembered
// alike come back equal to what was put, under each caller's path, and
// that changing one changes no other.
func TestCacheGetGivesEachCallerItsOwnReport(t *testing.T) {
	c := NewCache(mapMemo{}, Options{})
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
