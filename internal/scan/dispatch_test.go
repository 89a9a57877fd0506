package scan

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestFailsFirstOpcodeIsNoPickle checks that whatever failsFirstOpcode
// lets skip the walk of is found no pickle by the walk, and that it does
// skip text: tables, JSON and prose.
func TestFailsFirstOpcodeIsNoPickle(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	words := []string{"c", "i", "os", "\n", "system", ".", "id,city", "x y", "\r\n", "torch._utils", "(", ".", "\x80\x02", "é", "\xff", "_rebuild"}
	skipped := 0
	for range 50000 {
		var b bytes.Buffer
		for range rnd.IntN(12) {
			b.WriteString(words[rnd.IntN(len(words))])
		}
		if rnd.IntN(8) == 0 {
			for range rnd.IntN(20) {
				b.WriteByte(byte(rnd.Uint32()))
			}
		}
		data := b.Bytes()
		head := data[:min(len(data), headSize)]
		if !failsFirstOpcode(head) {
			continue
		}
		skipped++
		if w := walkPickles(bytes.NewReader(data), int64(len(data)), DefaultLimits(), newClassifier(nil)); w.isPickle() || len(w.globals) > 0 {
			t.Fatalf("%q: the walk is skipped, but it finds a pickle importing %v", data, w.globals)
		}
	}
	if skipped < 10000 {
		t.Fatalf("only %d of 50000 heads skipped", skipped)
	}
	for _, text := range []string{"id,city\n1,Oslo\n", `{"a": 1}`, "[1, 2]", "Hello\n", "c,d\n"} {
		if !failsFirstOpcode([]byte(text)) {
			t.Errorf("%q is walked as a possible pickle", text)
		}
	}
	for _, p := range []string{"cos\nsystem\n(S'x'\ntR.", "ios\nsystem\n(S'x'\nt.", "\x80\x02}q\x00.", "(lp0\n."} {
		if failsFirstOpcode([]byte(p)) {
			t.Errorf("the pickle %q is not walked", p)
		}
	}
}
