package scan

import (
	"bytes"
	"context"
	"testing"
)

// fuzzLimits keep a fuzzed input's work small.
var fuzzLimits = Limits{MaxOpcodes: 100_000, MaxMemo: 10_000, MaxStack: 10_000, MaxDecompressed: 8 << 20, MaxDepth: 4, MaxMembers: 100, MaxHeader: 1 << 20}

// fuzzScan scans b under name and checks the report is coherent.
func fuzzScan(t *testing.T, name string, b []byte) {
	rep, err := Reader(context.Background(), name, bytes.NewReader(b), int64(len(b)), Options{Limits: fuzzLimits})
	if err != nil {
		t.Fatalf("in-memory scan returned an I/O error: %v", err)
	}
	if rep.Verdict == "" || rep.Format == "" {
		t.Fatalf("report without verdict or format: %+v", rep)
	}
}

func FuzzPickle(f *testing.F) {
	for _, c := range unsafeCases {
		if c.file == "m.pkl" || c.file == "model.pkl" {
			f.Add(c.data(nil))
		}
	}
	f.Add([]byte(proto(2) + "}q\x00(X\x01\x00\x00\x00aq\x01K\x01u."))
	f.Fuzz(func(t *testing.T, b []byte) {
		w := walkPickles(bytes.NewReader(b), int64(len(b)), fuzzLimits.withDefaults(), newClassifier(nil))
		if w.end > int64(len(b)) {
			t.Fatalf("walked to offset %d of %d bytes", w.end, len(b))
		}
		for _, g := range w.globals {
			if g.Class == "" {
				t.Fatalf("global %s has no class", g)
			}
		}
	})
}

func FuzzZip(f *testing.F) {
	f.Add(buildZip(zipMember{name: "a/data.pkl", data: []byte(evil4)}, zipMember{name: "b", data: []byte("x"), deflate: true}))
	f.Add(buildZip(zipMember{name: "h", data: []byte(evil0), hidden: true, flags: 8}))
	f.Add(buildZip(zipMember{name: "in.zip", data: buildZip(zipMember{name: "x.npy", data: floats})}))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzScan(t, "f.zip", b) })
}

func FuzzNpy(f *testing.F) {
	f.Add(floats)
	f.Add(npyBytes("{'descr': [('a', '<f8'), ('b', '|O', (2, 2))], 'fortran_order': False, 'shape': (1,), }", []byte(evil4)))
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, err := readNpyHeader(bytes.NewReader(b), 1<<20); err == nil {
			if _, err := h.dataSize(); err != nil {
				t.Fatalf("accepted header with unusable size: %v", err)
			}
		}
		fuzzScan(t, "f.npy", b)
	})
}

func FuzzSafetensors(f *testing.F) {
	f.Add(safetensorsBytes(`{"__metadata__":{"a":"b"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`, 16))
	f.Add(safetensorsBytes(`{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := checkSafetensors(bytes.NewReader(b), int64(len(b)), 1<<20)
		if err == nil && n < 0 {
			t.Fatalf("negative tensor count")
		}
		fuzzScan(t, "f.safetensors", b)
	})
}

func FuzzONNX(f *testing.F) {
	f.Add(onnxModel("w.bin", ""))
	f.Add(onnxModel("../x"))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzScan(t, "f.onnx", b) })
}

func FuzzScan(f *testing.F) {
	for _, c := range safeCases {
		f.Add(c.file, c.data(nil))
	}
	f.Fuzz(func(t *testing.T, name string, b []byte) { fuzzScan(t, name, b) })
}

func FuzzParquet(f *testing.F) {
	f.Add(parquetBytes(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if rows, cols, err := checkParquet(bytes.NewReader(b), int64(len(b))); err == nil && (rows < 0 || cols < 0) {
			t.Fatalf("negative counts %d %d", rows, cols)
		}
	})
}
