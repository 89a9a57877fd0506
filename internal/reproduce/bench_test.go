package reproduce

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// csvPair returns two CSV files of rows rows that differ in every 1000th
// row by 1e-12.
func csvPair(rows int) ([]byte, []byte) {
	var a, b bytes.Buffer
	a.WriteString("id,x,y,label\n")
	b.WriteString("id,x,y,label\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&a, "%d,%g,%g,class%d\n", i, float64(i)*0.37, float64(i%97)/7, i%3)
		y := float64(i%97) / 7
		if i%1000 == 0 {
			y += 1e-12
		}
		fmt.Fprintf(&b, "%d,%g,%g,class%d\n", i, float64(i)*0.37, y, i%3)
	}
	return a.Bytes(), b.Bytes()
}

func BenchmarkDiffCSV(b *testing.B) {
	x, y := csvPair(100_000)
	b.SetBytes(int64(len(x) + len(y)))
	for b.Loop() {
		res, err := diffCSV(bytes.NewReader(x), bytes.NewReader(y), ',', Tolerance{RTol: 1e-9, ATol: 1e-9})
		if err != nil || res.verdict != WithinTolerance {
			b.Fatalf("%v %v", err, res.verdict)
		}
	}
}

func BenchmarkDiffJSON(b *testing.B) {
	var x, y strings.Builder
	x.WriteString(`{"coef":[`)
	y.WriteString(`{"coef":[`)
	for i := 0; i < 100_000; i++ {
		if i > 0 {
			x.WriteString(",")
			y.WriteString(",")
		}
		fmt.Fprintf(&x, "%g", float64(i)/3)
		fmt.Fprintf(&y, "%g", float64(i)/3+float64(i%2)*1e-13)
	}
	x.WriteString("]}")
	y.WriteString("]}")
	b.SetBytes(int64(x.Len() + y.Len()))
	for b.Loop() {
		va, errA := decodeJSON(strings.NewReader(x.String()))
		vb, errB := decodeJSON(strings.NewReader(y.String()))
		if errA != nil || errB != nil {
			b.Fatal(errA, errB)
		}
		if v := verdictOf(diffJSON(va, vb, Tolerance{RTol: 1e-9})); v != WithinTolerance {
			b.Fatal(v)
		}
	}
}

// BenchmarkRestore restores a run's folder: 500 code files and a 64 MiB
// gitignored input, from a store on the same file system.
func BenchmarkRestore(b *testing.B) {
	ctx := context.Background()
	root := b.TempDir()
	st, err := store.Open(filepath.Join(root, "store"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	src := filepath.Join(root, "src")
	for i := 0; i < 500; i++ {
		p := filepath.Join(src, fmt.Sprintf("pkg%d/mod%d.py", i%20, i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.Repeat(fmt.Sprintf("x = %d\n", i), 200)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	code, _, err := st.PutTree(ctx, src, store.TreeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	flowFile, _ := st.PutBytes([]byte("flow: bench\n"))
	data, n, err := st.Put(ctx, bytes.NewReader(bytes.Repeat([]byte("0123456789abcdef"), 4<<20)))
	if err != nil {
		b.Fatal(err)
	}
	r := &Run{Record: &core.RunRecord{Code: code, FlowFile: flowFile, FlowPath: "lockstep.yaml"}, Tasks: map[string]*core.TaskRecord{
		"prep": {Inputs: map[string]core.Artifact{"raw": {Digest: data, Kind: core.KindFile, Size: n, Source: "path:data/raw.bin"}}},
	}}
	b.SetBytes(n)
	for i := 0; b.Loop(); i++ {
		dest := filepath.Join(root, fmt.Sprintf("restore%d", i))
		if _, err := Restore(ctx, st, r, dest); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(dest)
		b.StartTimer()
	}
}
