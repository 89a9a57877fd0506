package scan

import (
	"bytes"
	"context"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// Arbitrary binary data (raw float arrays, compressed blobs, random bytes)
// often starts with bytes that decode as a few pickle opcodes. It must not
// be refused as a pickle.
func TestRandomBytesAreNotPickles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 4096)
	refused := 0
	for i := range 5000 {
		for j := range buf {
			buf[j] = byte(rng.Uint32())
		}
		r, err := Reader(context.Background(), "blob.bin", bytes.NewReader(buf), int64(len(buf)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Failed() {
			refused++
			if refused <= 3 {
				t.Errorf("random blob %d refused as %s: %+v", i, r.Format, r.Findings)
			}
		}
	}
	if refused > 0 {
		t.Errorf("%d of 5000 random 4 KiB blobs refused", refused)
	}
}

// Seen in the wild: random bytes forming a short complete pickle with an
// EXT4 code, followed by more random bytes.
func TestShortPickleInRandomDataIsNotAPickle(t *testing.T) {
	b, _ := hex.DecodeString("559a733ee9742b34cd792036af7c34e06f7a164d3f736ce4e34d799b3561f495e46aa7138c3b1df6f2de69288c32a7789da32a7676ac9481bcf9a9e1289472f53da97e115d56d6c8df961ac5a78d71ff24a5ed18cf9b16f5b7437e97c677ab9a64ea4e1274862b1136296143f0ac034a3768609e89720ec7ff3c9ae620a16b307aaa84fdbd388f0e8ef77351f1f749b02174ae53e342bb12cab00f3f84c0b57afb2e11823e5ce2a1cb5e0a3bc0b2c9f320b4abf75a3aebe51cbadc10085525c2094b3037c15ac4b3bf5afed0283b4a477724ae0136fac9b7ea7bd14a12c099b230fb159e0781b9a92a52f077cd62210f132b37d9ed05b7de00fec22de99b530f")
	r, err := Reader(context.Background(), "f.bin", bytes.NewReader(b), int64(len(b)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed() || r.Format == "pickle" {
		t.Errorf("random data reported as %s %s: %+v", r.Format, r.Verdict, r.Findings)
	}
}
