package scan

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// looksCSVBySplit is the definition looksCSV follows: the complete lines of
// head (at most 20, at least two) split out and their separators counted.
func looksCSVBySplit(head []byte) (rune, bool) {
	lines := bytes.Split(head, []byte{'\n'})
	if len(lines) > 1 {
		lines = lines[:len(lines)-1] // the last line may be cut
	}
	if len(lines) > 20 {
		lines = lines[:20]
	}
	if len(lines) < 2 || bytes.IndexByte(head, '"') >= 0 {
		return 0, false
	}
	for _, sep := range []byte{',', '\t'} {
		n := bytes.Count(lines[0], []byte{sep})
		ok := n > 0
		for _, l := range lines[1:] {
			ok = ok && bytes.Count(l, []byte{sep}) == n
		}
		if ok {
			return rune(sep), true
		}
	}
	return 0, false
}

func checkLooksCSV(t *testing.T, head []byte) {
	t.Helper()
	sep, ok := looksCSV(head)
	wantSep, wantOK := looksCSVBySplit(head)
	if sep != wantSep || ok != wantOK {
		t.Fatalf("%q: looksCSV says %q %v, want %q %v", head, sep, ok, wantSep, wantOK)
	}
}

func TestLooksCSVAgreesWithSplit(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		b := make([]byte, rnd.IntN(200))
		for i := range b {
			b[i] = "a,\t\n\"x"[rnd.IntN(6)]
			if rnd.IntN(3) == 0 {
				b[i] = ",\n"[rnd.IntN(2)]
			}
		}
		checkLooksCSV(t, b)
	}
	for _, s := range []string{"", "a,b", "a,b\n", "a,b\n1,2\n", "a,b\n1,2", "a\tb\n1\t2\n", "a,b\n1,2\n3\n", "\n\n", ",\n,\n"} {
		checkLooksCSV(t, []byte(s))
	}
}

func FuzzLooksCSV(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n3,4\n"))
	f.Add([]byte("a\tb\n1\t2\n3,4\n"))
	f.Fuzz(func(t *testing.T, head []byte) { checkLooksCSV(t, head) })
}
