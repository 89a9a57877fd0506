package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// tokenCheckJSON is the definition checkJSON follows: every JSON value in
// r walked token by token with encoding/json, nesting bounded.
func tokenCheckJSON(r io.Reader) error {
	dec := json.NewDecoder(r)
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if depth != 0 { // the Decoder leaves an unclosed document to its caller
				return fmt.Errorf("invalid JSON: %d unclosed at the end", depth)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("invalid JSON near byte %d: %w", dec.InputOffset(), err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if depth++; depth > maxJSONDepth {
				return fmt.Errorf("JSON nested deeper than %d levels near byte %d: %w", maxJSONDepth, dec.InputOffset(), errLimit)
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// checkJSONAgrees fails t when checkJSON and tokenCheckJSON disagree on
// data: accepted, refused as invalid, or refused at the nesting limit.
func checkJSONAgrees(t *testing.T, data []byte) {
	t.Helper()
	want := tokenCheckJSON(bytes.NewReader(data))
	for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data))} {
		got := checkJSON(r)
		if (got == nil) != (want == nil) || errors.Is(got, errLimit) != errors.Is(want, errLimit) {
			t.Fatalf("%q: checkJSON says %v, encoding/json %v", data, got, want)
		}
	}
}

func TestCheckJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", " \n", "{}", "[]", `{"a":1,"b":[true,false,null,"x\u00e9\n"]}`, "{}{}", "1 2", "truefalse", "1-2", "01",
		"[01]", "-", "-0", "-01", "1.", "1.5e", "1.5e+3", "1E-0", ".5", "[1,]", "{,}", `{"a" 1}`, `{"a":}`, `{"a":1,}`,
		`"\x"`, `"\u12g4"`, "\"a\tb\"", "\"a\x01b\"", "\"\xff\xfe\"", "nul", "nulll", "[", "[1", `{"a"`, "\ufeff{}",
		"{\"a\":1}\n{\"b\":2}\n", "[1 2]", "tru", "0.0e0", "1e5x", "[]]", "}", "\x00",
		strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
		strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
		strings.Repeat(`{"a":`, maxJSONDepth+1),
	} {
		checkJSONAgrees(t, []byte(s))
	}
}

func TestCheckJSONNamesTheByte(t *testing.T) {
	err := checkJSON(strings.NewReader(`{"a": [1, 2,, 3]}`))
	if err == nil || !strings.Contains(err.Error(), "near byte 12") {
		t.Fatalf("got %v, want the error near byte 12", err)
	}
	if err := checkJSON(strings.NewReader(strings.Repeat("[", maxJSONDepth+1))); !errors.Is(err, errLimit) {
		t.Fatalf("nesting beyond the limit: %v, want a limit", err)
	}
}

func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e-3,"x\\u0041"]}`, "1 2\n3", "[01]", "truefalse", `{"a" 1}`, "\"\\q\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkJSONAgrees(t, data)
	})
}

// BenchmarkCheckJSON measures checking 16 MB of JSON lines.
func BenchmarkCheckJSON(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 16<<20; i++ {
		fmt.Fprintf(&buf, "{\"id\":%d,\"tags\":[\"a\",\"b\"],\"v\":%d.25,\"s\":\"line \\\"%d\\\"\"}\n", i, i, i)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := checkJSON(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
