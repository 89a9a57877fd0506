package dataset

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCosignVerifiesDatasetBOM has cosign, an independent implementation,
// verify a dataset's signed BOM offline against one of the dataset's files
// (every file is a subject of the statement).
func TestCosignVerifiesDatasetBOM(t *testing.T) {
	cosign, err := exec.LookPath("cosign")
	if err != nil {
		t.Skip("cosign is not on PATH; install it with: go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5")
	}
	e := newEnv(t)
	dir := writeFiles(t, filepath.Join(e.root, "data"), map[string]string{"a.csv": "x\n1\n", "sub/b.csv": "x\n2\n"})
	signer := testKey(t, 0)
	a, err := e.add(t, "iris@1", dir, AddOptions{Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := e.st.ReadBytes(a.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	files := map[string]string{
		"producer.pub":      string(signer.PublicKey.PEM()),
		"other.pub":         string(testKey(t, 2).PublicKey.PEM()),
		"bom.sigstore.json": string(bundle),
		"trusted_root.json": `{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`,
		"b.csv":             "x\n2\n",
		"changed.csv":       "x\n3\n",
	}
	writeFiles(t, work, files)
	tests := []struct {
		name, key, file string
		ok              bool
	}{
		{"a file of the dataset", "producer.pub", "b.csv", true},
		{"a changed file", "producer.pub", "changed.csv", false},
		{"another key", "other.pub", "b.csv", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, cosign, "verify-blob-attestation", "--key", tt.key, "--bundle", "bom.sigstore.json",
				"--new-bundle-format", "--trusted-root", "trusted_root.json", "--type", BOMPredicateType,
				"--insecure-ignore-tlog=true", tt.file)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "HOME="+work, "TUF_ROOT="+filepath.Join(work, "tuf"))
			out, err := cmd.CombinedOutput()
			if (err == nil) != tt.ok {
				t.Fatalf("cosign verify-blob-attestation: err = %v, want success %v\n%s", err, tt.ok, out)
			}
			if tt.ok && !bytes.Contains(out, []byte("Verified OK")) {
				t.Errorf("cosign output lacks Verified OK:\n%s", out)
			}
		})
	}
}
