package scan

import (
	"bytes"
	"compress/zlib"
	"context"
	"math/rand/v2"
	"testing"
)

// TestRandomBytesAreNotPickles scans 100,000 files of random data whose first byte is a
// pickle opcode: a loader would stop at the garbage before importing
// anything, so none of it may be reported as a pickle (refused or unsafe).
func TestRandomBytesAreNotPickles(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 2000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	first := []byte("C\x80cX(]}i\x93\x8c")
	for i := range n {
		b := make([]byte, 1+rng.IntN(3000))
		for j := range b {
			b[j] = byte(rng.UintN(256))
		}
		b[0] = first[i%len(first)]
		rep, err := Reader(context.Background(), "r.bin", bytes.NewReader(b), int64(len(b)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict == Refused || rep.Verdict == Unsafe {
			t.Fatalf("random file %d (%d bytes, first byte %#x) scanned %s: %+v", i, len(b), b[0], rep.Verdict, rep.Findings)
		}
	}
}

// TestRandomBytesAreNotBrokenZlib scans random files that start with a
// valid zlib header (0x78 and a second byte passing its check, as one
// random file in about 8,000 does): they are plain data, not a zlib stream
// to refuse as invalid. A real zlib stream of a pickle is still opened.
func TestRandomBytesAreNotBrokenZlib(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 1000
	}
	rng := rand.New(rand.NewPCG(3, 4))
	second := []byte{0x01, 0x5e, 0x9c, 0xda, 0x20, 0x7d, 0xbb, 0xf9}
	for i := range n {
		b := make([]byte, 2+rng.IntN(20000))
		for j := range b {
			b[j] = byte(rng.UintN(256))
		}
		b[0], b[1] = 0x78, second[i%len(second)]
		rep, err := Reader(context.Background(), "r.bin", bytes.NewReader(b), int64(len(b)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict != Clean {
			t.Fatalf("random file %d (%d bytes, header %#x %#x) scanned %s as %s: %+v", i, len(b), b[0], b[1], rep.Verdict, rep.Format, rep.Findings)
		}
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write([]byte(proto(2) + "cos\nsystem\n(S'id'\ntR."))
	w.Close()
	rep, err := Reader(context.Background(), "x.z", bytes.NewReader(z.Bytes()), int64(z.Len()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Unsafe {
		t.Fatalf("a zlib stream of a pickle calling os.system scanned %s: %+v", rep.Verdict, rep.Findings)
	}
}

// TestImportsALoaderRefusesAreNotImports: a GLOBAL whose names are not
// UTF-8 and a STACK_GLOBAL over values that are not str make a loader
// raise before it imports anything.
func TestImportsALoaderRefusesAreNotImports(t *testing.T) {
	for name, b := range map[string]string{
		"GLOBAL not UTF-8":           "c\xffA\np\n.",
		"STACK_GLOBAL on bytes":      proto(4) + "C\x02ab" + ustr("system") + "\x93.",
		"STACK_GLOBAL on a list":     proto(4) + "]" + "\x89" + "\x93.",
		"STACK_GLOBAL on an integer": proto(4) + "K\x01" + ustr("x") + "\x93.",
	} {
		rep, err := Reader(context.Background(), "x.pkl", bytes.NewReader([]byte(b)), int64(len(b)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Verdict == Unsafe {
			t.Errorf("%s: scanned unsafe, but a loader raises before any import: %+v", name, rep.Findings)
		}
		for _, f := range rep.Findings {
			if len(f.Globals) > 0 {
				t.Errorf("%s: reported imports %v", name, f.Globals)
			}
		}
	}
	// A STACK_GLOBAL over a call's result may be a str at load time: it
	// stays dangerous.
	b := proto(4) + glob("builtins", "str") + ustr("os") + "\x85R" + ustr("system") + "\x93" + ustr("id") + "\x85R."
	if rep, _ := Reader(context.Background(), "m.pkl", bytes.NewReader([]byte(b)), int64(len(b)), Options{}); rep.Verdict != Unsafe {
		t.Errorf("a computed STACK_GLOBAL scanned %s, want unsafe", rep.Verdict)
	}
}
