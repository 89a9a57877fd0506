package scan

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stateDictPickle builds a protocol-2 pickle shaped like PyTorch's data.pkl
// for n tensors: an OrderedDict of _rebuild_tensor_v2 calls on persistent
// storages.
func stateDictPickle(n int) []byte {
	var b strings.Builder
	b.WriteString(proto(2) + glob("collections", "OrderedDict") + "q\x00)Rq\x01(")
	for i := 0; i < n; i++ {
		b.WriteString(binu(fmt.Sprintf("layer.%d.weight", i)))
		b.WriteString(glob("torch._utils", "_rebuild_tensor_v2") + "(" + "(" + binu("storage") + glob("torch", "FloatStorage") + binu(fmt.Sprint(i)) + binu("cpu") + "M\x00\x01tQ")
		b.WriteString("K\x00M\x00\x01\x85K\x01\x85\x89" + glob("collections", "OrderedDict") + ")RtR")
	}
	b.WriteString("u.")
	return []byte(b.String())
}

// BenchmarkPickleWalk measures the opcode machine on a state-dict pickle.
func BenchmarkPickleWalk(b *testing.B) {
	p := stateDictPickle(5000)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		w := walkPickles(bytes.NewReader(p), int64(len(p)), DefaultLimits(), newClassifier(nil))
		if w.err != nil || w.pickles != 1 {
			b.Fatalf("walk failed: %v", w.err)
		}
	}
}

// BenchmarkQuickWalk measures the quick walk on the same pickle.
func BenchmarkQuickWalk(b *testing.B) {
	p := stateDictPickle(5000)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if _, ok := quickWalk(bytes.NewReader(p), int64(len(p)), DefaultLimits(), newClassifier(nil)); !ok {
			b.Fatal("the quick walk declined a state dict")
		}
	}
}

// BenchmarkPyTorchZip measures a 256 MiB PyTorch-style zip: stored tensor
// storages are recognised and skipped by size, data.pkl is walked (and let
// in by the allow-safe policy).
func BenchmarkPyTorchZip(b *testing.B) {
	path := filepath.Join(b.TempDir(), "model.pt")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "model/data.pkl", Method: zip.Store})
	w.Write(stateDictPickle(1000))
	chunk := bytes.Repeat([]byte{0x3f, 0x80, 0, 0}, 1<<18)
	for i := 0; i < 1000; i++ {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("model/data/%d", i), Method: zip.Store})
		n := 4096
		if i%16 == 0 {
			n = 16 << 20
		}
		for n > 0 {
			k, _ := w.Write(chunk[:min(n, len(chunk))])
			n -= k
		}
	}
	zw.Close()
	f.Close()
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	for b.Loop() {
		rep, err := File(context.Background(), path, Options{Pickle: PickleAllowSafe})
		if err != nil || rep.Verdict != Allowed || rep.Summary.Tensors != 1000 {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}

// BenchmarkCSV measures checking a 16 MB table (quoted fields included),
// the bulk of what a tabular dataset's scan does.
func BenchmarkCSV(b *testing.B) {
	var t bytes.Buffer
	t.WriteString("id,name,score,comment\n")
	for i := 0; t.Len() < 16<<20; i++ {
		fmt.Fprintf(&t, "%d,user%d,%d.%03d,\"said \"\"hi\"\", then left\"\n", i, i, i%100, i%1000)
	}
	data := t.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rep, err := Reader(context.Background(), "t.csv", bytes.NewReader(data), int64(len(data)), Options{})
		if err != nil || rep.Verdict != Clean {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}

// datasetMix returns one file of each kind a tabular dataset holds, shaped
// like bench/data-add-scan.sh's: a 64 KiB CSV shard with quoted text
// columns, 16 KiB of JSON lines and a 16 KiB random blob.
func datasetMix() map[string][]byte {
	rnd := rand.New(rand.NewPCG(1, 2))
	cities := []string{"Oslo", "Lyon, FR", "Kyiv"}
	var csvData bytes.Buffer
	csvData.WriteString("id,city,score,comment\n")
	for n := 1; csvData.Len() < 64<<10; n++ {
		fmt.Fprintf(&csvData, "%d,\"%s\",%.4f,\"said \"\"%s\"\", then left\"\n", n, cities[rnd.IntN(3)], rnd.Float64(), []string{"hi", "ok"}[rnd.IntN(2)])
	}
	var jsonl bytes.Buffer
	for jsonl.Len() < 16<<10 {
		fmt.Fprintf(&jsonl, "{\"id\": %d, \"tags\": [\"a\", \"b\"], \"v\": %v}\n", rnd.IntN(1<<30), rnd.Float64())
	}
	blob := make([]byte, 16<<10)
	for i := range blob {
		blob[i] = byte(rnd.Uint32())
	}
	return map[string][]byte{"shard.csv": csvData.Bytes(), "events.jsonl": jsonl.Bytes(), "blob.bin": blob}
}

// BenchmarkDatasetMix measures scanning each kind of file of a tabular
// dataset from memory: what `data add` of such a tree spends per file.
func BenchmarkDatasetMix(b *testing.B) {
	for _, name := range []string{"shard.csv", "events.jsonl", "blob.bin"} {
		data := datasetMix()[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				rep, err := Reader(context.Background(), name, bytes.NewReader(data), int64(len(data)), Options{})
				if err != nil || rep.Verdict != Clean {
					b.Fatalf("%v %+v", err, rep)
				}
			}
		})
	}
}
