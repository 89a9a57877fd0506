package scan

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hamba/avro/v2/ocf"
	"github.com/parquet-go/parquet-go"
)

// safeCase is a benign file that must pass.
type safeCase struct {
	name    string
	file    string
	data    func(t *testing.T) []byte
	format  string
	summary Summary
}

var floats = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", make([]byte, 24))

var safeCases = []safeCase{
	{"safetensors", "m.safetensors", func(*testing.T) []byte {
		return safetensorsBytes(`{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]}}`, 22)
	}, "safetensors", Summary{Tensors: 2}},
	{"safetensors padded header", "x", func(*testing.T) []byte {
		return safetensorsBytes(`{"a":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}   `, 8)
	}, "safetensors", Summary{Tensors: 1}},
	{"npy float32", "a.npy", func(*testing.T) []byte { return floats }, "npy", Summary{Tensors: 1}},
	{"npy structured without objects", "s.npy", func(*testing.T) []byte {
		return npyBytes("{'descr': [('x', '<f8'), ('tag', '|S4', (2,))], 'fortran_order': True, 'shape': (2,), }", make([]byte, 32))
	}, "npy", Summary{Tensors: 1}},
	{"npz of floats", "a.npz", zipOf(zipMember{name: "a.npy", data: floats}, zipMember{name: "b.npy", data: floats, deflate: true}), "npz", Summary{Tensors: 2}},
	{"csv", "t.csv", raw("a,b,c\n1,2,3\n4,\"5,5\",6\n"), "csv", Summary{Rows: 2, Columns: 3}},
	{"csv recognised by content", "table", raw("x,y\n1,2\n3,4\n5,6\n"), "csv", Summary{Rows: 3, Columns: 2}},
	{"tsv", "t.tsv", raw("a\tb\n1\t2\n"), "csv", Summary{Rows: 1, Columns: 2}},
	{"json", "c.json", raw(`{"lr": 0.1, "layers": [1, 2]}`), "json", Summary{}},
	{"json lines", "c.jsonl", raw("{\"a\":1}\n{\"a\":2}\n"), "json", Summary{}},
	{"text", "README", raw("The quick brown fox jumps over the lazy dog.\n"), "text", Summary{}},
	{"empty file", "empty", raw(""), "text", Summary{}},
	{"binary blob", "blob.bin", raw("\x00\x01\x02\x03\xff\xfe"), "unknown", Summary{}},
	{"pickle of plain containers", "d.pkl", raw(proto(4) + "}\x94(" + ustr("a") + "K\x01" + ustr("b") + "]\x94(G?\xf0\x00\x00\x00\x00\x00\x00N\x88eu."), "pickle", Summary{}},
	{"pickle of OrderedDict", "d.pkl", raw(proto(2) + glob("collections", "OrderedDict") + ")R" + ustr("k") + "K\x02s."), "pickle", Summary{}},
	{"onnx inline weights", "m.onnx", func(*testing.T) []byte { return onnxModel("", "") }, "onnx", Summary{Tensors: 2}},
	{"onnx external data beside the model", "m.onnx", func(*testing.T) []byte { return onnxModel("weights/w.bin") }, "onnx", Summary{Tensors: 1}},
	{"hdf5 without Lambda", "m.h5", func(*testing.T) []byte { return hdf5With(kerasConfig(false)) }, "hdf5", Summary{}},
	{"keras without Lambda", "m.keras", zipOf(zipMember{name: "metadata.json", data: []byte(`{}`)}, zipMember{name: "config.json", data: []byte(kerasConfig(false))}), "keras", Summary{}},
	{"zip of text", "docs.zip", zipOf(zipMember{name: "a.txt", data: []byte("hello\n"), deflate: true}, zipMember{name: "dir/", data: nil}), "zip", Summary{}},
	{"gzip of csv", "t.csv.gz", func(*testing.T) []byte { return gzipOf([]byte("a,b\n1,2\n")) }, "gzip", Summary{Rows: 1, Columns: 2}},
	{"tar of files", "t.tar", func(*testing.T) []byte { return tarOf("a.txt", "hi\n", "b.csv", "x,y\n1,2\n") }, "tar", Summary{Rows: 1, Columns: 2}},
	{"parquet", "t.parquet", parquetBytes, "parquet", Summary{Rows: 3, Columns: 2}},
	{"avro", "t.avro", avroBytes, "avro", Summary{Rows: 3, Columns: 2}},
	{"avro deflate", "t.avro", func(t *testing.T) []byte { return avroWith(t, ocf.WithCodec(ocf.Deflate)) }, "avro", Summary{Rows: 3, Columns: 2}},
}

type row struct {
	ID   int64  `parquet:"id" avro:"id"`
	Name string `parquet:"name" avro:"name"`
}

var rows = []row{{1, "a"}, {2, "b"}, {3, "c"}}

func parquetBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := parquet.Write(&b, rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func avroBytes(t *testing.T) []byte { return avroWith(t) }

func avroWith(t *testing.T, opts ...ocf.EncoderFunc) []byte {
	var b bytes.Buffer
	enc, err := ocf.NewEncoder(`{"type":"record","name":"row","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}`, &b, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSafeCorpus(t *testing.T) {
	for _, c := range safeCases {
		t.Run(c.name, func(t *testing.T) {
			b := c.data(t)
			want := Clean
			if c.format == "pickle" {
				want = Allowed
				checkRefusedByDefault(t, c.file, b)
			}
			rep, err := Reader(context.Background(), c.file, bytes.NewReader(b), int64(len(b)), Options{Pickle: PickleAllowSafe})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != want || rep.Format != c.format {
				t.Fatalf("got %s %s, want %s %s; findings: %+v", rep.Format, rep.Verdict, want, c.format, rep.Findings)
			}
			got := Summary{}
			if rep.Summary != nil {
				got = *rep.Summary
			}
			if got != c.summary {
				t.Errorf("summary %+v, want %+v", got, c.summary)
			}
			for _, f := range rep.Findings {
				if (f.Severity != SeverityInfo && f.Severity != SeverityAllowed) || strings.Contains(f.Message, "dangerous") {
					t.Errorf("unexpected finding %+v", f)
				}
			}
		})
	}
}

func TestTextMentioningZipSignature(t *testing.T) {
	b := []byte("a log line that happens to contain PK\x05\x06 bytes\n")
	rep, err := Reader(context.Background(), "log.txt", bytes.NewReader(b), int64(len(b)), Options{})
	if err != nil || rep.Verdict != Clean {
		t.Fatalf("%v %+v", err, rep)
	}
}

// checkRefusedByDefault asserts that a pickle whose imports are all safe is
// still refused by the default policy, with the policy named.
func checkRefusedByDefault(t *testing.T, name string, b []byte) {
	t.Helper()
	rep, err := Reader(context.Background(), name, bytes.NewReader(b), int64(len(b)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != Refused || !rep.Failed() {
		t.Fatalf("default policy: verdict %s, want refused: %+v", rep.Verdict, rep.Findings)
	}
	for _, f := range rep.Findings {
		if f.Severity == SeverityRefused && strings.HasPrefix(f.Message, "refused by format policy: pickle (imports ") {
			return
		}
	}
	t.Errorf("no finding says the format policy refused the pickle: %+v", rep.Findings)
}
