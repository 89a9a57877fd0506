package attest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// checkGolden compares JSON with testdata/name, indented for reading.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from golden file:\n%s", name, buf.Bytes())
	}
}

// bundlePayload returns the statement a bundle carries.
func bundlePayload(t *testing.T, b []byte) []byte {
	t.Helper()
	var bj bundleJSON
	if err := json.Unmarshal(b, &bj); err != nil {
		t.Fatal(err)
	}
	p, err := base64.StdEncoding.DecodeString(bj.DsseEnvelope.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestModelStatementGolden pins the model-signing statement layout: the
// same shape as the reference implementation's (see the vector's
// model.sig), resources in PurePosixPath order.
func TestModelStatementGolden(t *testing.T) {
	for _, tt := range []struct {
		golden string
		shard  int64
	}{{"model-files.golden.json", 0}, {"model-shards.golden.json", 8}} {
		t.Run(tt.golden, func(t *testing.T) {
			dir := makeModel(t)
			sig, err := SignModel(context.Background(), dir, testSigner(t, ""), ModelOptions{IgnorePaths: []string{"logs"}, ShardSize: tt.shard})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.golden, bundlePayload(t, sig))
		})
	}
}
