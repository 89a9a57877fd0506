package scan

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// readCSV is what encoding/csv, read as the scanner configures it, makes
// of data: records after the header, the header's fields, and the line
// of a record with another field count (0 for none).
func readCSV(data []byte, sep byte) (rows, cols, badLine int64, err error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = rune(sep)
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, cols, 0, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(err, csv.ErrFieldCount) {
			return rows, cols, int64(pe.Line), err
		}
		if err != nil {
			return rows, cols, 0, err
		}
		if cols == 0 {
			cols = int64(len(rec))
			continue
		}
		rows++
	}
}

// checkAgainstEncodingCSV fails t when countCSV and encoding/csv disagree
// on data: accepted or refused, records and fields, the line of a bad
// record.
func checkAgainstEncodingCSV(t *testing.T, data []byte, sep byte) {
	t.Helper()
	wantRows, wantCols, wantLine, wantErr := readCSV(data, sep)
	// One byte per read, so every state is crossed at a chunk edge too.
	for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data))} {
		rows, cols, err := countCSV(r, sep, 1<<40)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: countCSV says %v, encoding/csv %v", data, err, wantErr)
		}
		var fc *csvFieldCount
		if errors.As(err, &fc) && fc.line != wantLine {
			t.Fatalf("%q: bad record on line %d, encoding/csv says line %d", data, fc.line, wantLine)
		}
		if (fc != nil) != (wantLine != 0) {
			t.Fatalf("%q: countCSV says %v, encoding/csv %v", data, err, wantErr)
		}
		if err == nil && (rows != wantRows || cols != wantCols) {
			t.Fatalf("%q: %d rows × %d columns, encoding/csv says %d × %d", data, rows, cols, wantRows, wantCols)
		}
		if err != nil && !errors.Is(err, errCSV) {
			t.Fatalf("%q: %v is not marked as a content error", data, err)
		}
	}
}

func TestCountCSVAgreesWithEncodingCSV(t *testing.T) {
	for _, data := range []string{
		"", "\n", "a", "a,b\n1,2\n", "a,b\n1,2", "a,b\r\n1,2\r\n", "a,b\n\n\n1,2\n\r\n", "a,b\n1\n",
		"a,b\n1,2,3\n", `a,"b,c"` + "\n1,2\n", "\"a\nb\",c\n1,2\n", `a,"b""c"` + "\n1,2\n",
		`a,b"c` + "\n", `"a"b,c` + "\n", "\"a,b\n", "a,b\r", "a,b\n1,2\r", "a,\"b\"\r\n", "a,\"b\"\r", "a\rb,c\n1,2\n",
		"\"a\"\r\rb\n", ",\n,\n", "a,\n1,\n", "\"\",\"\"\n1,2\n", "a,b\n\"1\n\n2\",3\n4\n", "\xff\xfe,\x00\n1,2\n",
	} {
		checkAgainstEncodingCSV(t, []byte(data), ',')
		checkAgainstEncodingCSV(t, []byte(strings.ReplaceAll(data, ",", "\t")), '\t')
	}
}

func TestCountCSVRefusesEndlessLines(t *testing.T) {
	data := "a,b\n1,2\n3," + strings.Repeat("4", 5000) + "\n5,6\n"
	for _, r := range []io.Reader{strings.NewReader(data), iotest.OneByteReader(strings.NewReader(data))} {
		if _, _, err := countCSV(r, ',', 1000); !errors.Is(err, errLimit) {
			t.Fatalf("a 5002-byte line under a 1000-byte limit: %v", err)
		}
	}
	if _, _, err := countCSV(strings.NewReader("a,b\n"+strings.Repeat("x", 999)+",y\n"), ',', 1001); err != nil {
		t.Fatalf("a line of exactly the limit: %v", err)
	}
}

func FuzzCountCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"a\nb\",c\r\n1,\"2\"\"\"\n", "a,b\n1\n", "x\"y\n", "\"a\"b\n", "a\r\r\n"} {
		f.Add([]byte(s), false)
	}
	for _, s := range csvFastSeeds {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, tab bool) {
		sep := byte(',')
		if tab {
			sep = '\t'
		}
		checkAgainstEncodingCSV(t, data, sep)
		checkFastCSV(t, data, sep)
	})
}

// csvFastSeeds are tables long enough for the word-at-a-time count, each
// valid or broken in one place.
var csvFastSeeds = []string{
	"id,city,score,comment\n1,\"Oslo\",0.5,\"said \"\"hi\"\", then left\"\n2,\"Lyon, FR\",0.25,\"ok\"\n",
	"id,city\r\n1,\"Lyon, FR\"\r\n\r\n2,\"a\r\nb\"\r\n3,x\r\n",
	"a,b,c\n\"x\ny\",\"\"\"\",\"\"\n\n\n1,2,3\n4,5\n6,7,8\n",
	"a,b,c\n1,2,3\n4,\"5\"6,7\n8,9,10\n",
	"a,b,c\n1,2,3\n4,5\"6,7\n8,9,10\n",
	"a,b,c\n1,2,3\n4,5\r6,7\n8,9,10\n",
	"a,b,c\n1,2,3\n\"4,5,6\n7,8,9\n",
	"a,b,c\n1,2,3\n4,5,6\r",
}

// checkFastCSV fails t when counting data in chunks of any size (so that
// whole records go through the word-at-a-time count) and counting it one
// byte at a time (so that none does) disagree in any way: counts, error
// or its message.
func checkFastCSV(t *testing.T, data []byte, sep byte) {
	t.Helper()
	wantRows, wantCols, wantErr := countCSV(iotest.OneByteReader(bytes.NewReader(data)), sep, 1<<40)
	check := func(how string, rows, cols int64, err error) {
		t.Helper()
		if rows != wantRows || cols != wantCols || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("%q %s: %d rows × %d columns, %v; byte by byte: %d × %d, %v", data, how, rows, cols, err, wantRows, wantCols, wantErr)
		}
	}
	rows, cols, err := countCSVBytes(data, sep, 1<<40)
	check("in memory", rows, cols, err)
	for _, n := range []int{64, 100, 150, 1000} {
		rows, cols, err := countCSV(&piecewiseReader{data: data, n: n}, sep, 1<<40)
		check(fmt.Sprintf("in reads of %d bytes", n), rows, cols, err)
	}
}

// piecewiseReader reads data n bytes at a time.
type piecewiseReader struct {
	data []byte
	n    int
}

func (r *piecewiseReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[k:]
	return k, nil
}

// TestCountCSVFastAgreesWithByteWise generates tables of the pieces the
// word-at-a-time count treats specially (quotes, doubled quotes,
// separators, line breaks inside and outside quotes, "\r\n", empty lines,
// a ragged row, a stray quote or '\r') and checks it against the byte-wise
// count and encoding/csv.
func TestCountCSVFastAgreesWithByteWise(t *testing.T) {
	pieces := []string{"a", "bc", "1.5", `"q"`, `"a,b"`, `"x""y"`, `""`, "\"l1\nl2\"", "\"c\r\nr\""}
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		var b bytes.Buffer
		cols := 1 + rnd.IntN(4)
		for range 1 + rnd.IntN(12) {
			n := cols
			if rnd.IntN(40) == 0 {
				n += rnd.IntN(3) - 1
			}
			for j := range n {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(pieces[rnd.IntN(len(pieces))])
			}
			switch rnd.IntN(8) {
			case 0:
				b.WriteString("\r\n")
			case 1:
				b.WriteString("\n\n")
			case 2:
				b.WriteString("\r\n\r\n")
			default:
				b.WriteByte('\n')
			}
		}
		data := b.Bytes()
		if rnd.IntN(4) == 0 && len(data) > 0 { // one stray byte somewhere
			data[rnd.IntN(len(data))] = "\"\r\n,x"[rnd.IntN(5)]
		}
		checkFastCSV(t, data, ',')
		checkAgainstEncodingCSV(t, data, ',')
	}
}

// TestBlockMasks checks both ways of flagging a block's bytes against a
// byte-by-byte loop.
func TestBlockMasks(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	b := make([]byte, 64)
	for i := range 20000 {
		for j := range b {
			if rnd.IntN(2) == 0 {
				b[j] = "\",\t;\n\rx\x00\xff"[rnd.IntN(9)]
			} else {
				b[j] = byte(rnd.Uint32())
			}
		}
		sep := ",\t;|"[i%4]
		var want [4]uint64
		for j, c := range b {
			for k, special := range []byte{'"', sep, '\n', '\r'} {
				if c == special {
					want[k] |= 1 << j
				}
			}
		}
		for name, f := range map[string]func([]byte, byte) (q, s, n, r uint64){"blockMasks": blockMasks, "blockMasksSWAR": blockMasksSWAR} {
			q, s, n, r := f(b, sep)
			if got := [4]uint64{q, s, n, r}; got != want {
				t.Fatalf("%s(%q, %q) = %x, want %x", name, b, sep, got, want)
			}
		}
	}
}
