package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleBOM is a BOM with every optional part filled in.
func sampleBOM(t testing.TB) ([]byte, core.Digest, *core.Tree) {
	t.Helper()
	tree := core.NewTree([]core.TreeEntry{
		{Path: "train.csv", Kind: core.KindFile, Mode: 0o644, Size: 3, Digest: core.DigestOf([]byte("a,b"))},
		{Path: "docs/README", Kind: core.KindFile, Mode: 0o755, Size: 2, Digest: core.DigestOf([]byte("hi"))},
		{Path: "latest", Kind: core.KindSymlink, Mode: 0o777, Target: "train.csv"},
		{Path: "empty", Kind: core.KindDir, Mode: 0o755},
	})
	_, d, err := core.DigestJSON(tree)
	if err != nil {
		t.Fatal(err)
	}
	card := &Card{Motivation: "predict prices", IntendedUses: stringList{"teaching", "benchmarks"},
		PersonalData: "names of survey respondents", Owners: []string{"Ada Lovelace"}}
	desc := Description{Ref: mustRef(t, "housing@2017"), Description: "California housing", License: "CC-BY-4.0",
		Producer: "Census Bureau", Classification: Restricted, Card: card, PicklePolicy: scan.PickleAllow,
		Scans: map[string]FileScan{"docs/README": {Format: "pickle", Verdict: "allowed", Note: "imports mylib.make"}, "train.csv": {Format: "csv", Rows: 1, Columns: 2}},
		Sources: []Fetched{{URL: "https://example.org/housing.csv", Digest: core.DigestOf([]byte("a,b")), Size: 3,
			Redirects: []string{"https://cdn.example.net/h.csv"}}, {URL: "http://mirror.example.org/h.csv", Insecure: true}}}
	b, err := EncodeBOM(BuildBOM(desc, d, tree, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	return b, d, tree
}

func TestBOMGoldenAndSchema(t *testing.T) {
	b, _, _ := sampleBOM(t)
	validateCycloneDX(t, b)
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden", "housing-bom.json")
	if *update {
		os.MkdirAll(filepath.Dir(golden), 0o755)
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("BOM differs from %s (go test -update to accept):\n%s", golden, pretty.Bytes())
	}
}

func TestParseBOMRoundTrip(t *testing.T) {
	b, d, tree := sampleBOM(t)
	got, err := ParseBOM(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Ref.String() != "housing@2017" || got.Tree != d || got.Classification != Restricted ||
		got.Producer != "Census Bureau" || got.License != "CC-BY-4.0" || got.PicklePolicy != scan.PickleAllow {
		t.Fatalf("parsed %+v", got)
	}
	if len(got.Entries) != len(tree.Entries) {
		t.Fatalf("entries = %v", got.Entries)
	}
	for i := range tree.Entries {
		if got.Entries[i] != tree.Entries[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got.Entries[i], tree.Entries[i])
		}
	}
	if len(got.Sources) != 2 || got.Sources[0] != "https://example.org/housing.csv" {
		t.Errorf("sources = %v", got.Sources)
	}
}

func TestParseBOMRefuses(t *testing.T) {
	b, _, _ := sampleBOM(t)
	hexA := core.DigestOf([]byte("a,b")).Hex()
	tests := []struct {
		name, old, new, want string
	}{
		{"tampered file hash", hexA, strings.Repeat("0", 64), "hash to tree"},
		{"path traversal", `"name":"docs/README"`, `"name":"../README"`, "leaves the tree"},
		{"absolute path", `"name":"docs/README"`, `"name":"/etc/passwd"`, "absolute"},
		{"escaping link", `"value":"train.csv"`, `"value":"../../etc/passwd"`, "outside"},
		{"old spec", `"specVersion":"1.6"`, `"specVersion":"1.4"`, "specVersion"},
		{"bad name", `"name":"housing"`, `"name":"Housing/x"`, "name and version"},
		{"bad classification", `"classification":"restricted"`, `"classification":"secret"`, "classification"},
		{"not data", `"type":"data"`, `"type":"library"`, "metadata.component"},
		{"no size", `{"name":"lockstep:size","value":"3"}`, `{"name":"lockstep:size","value":"-3"}`, "byte count"},
		{"not json", `{`, `[`, "not CycloneDX JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(string(b), tt.old, tt.new, 1)
			if bad == string(b) {
				t.Fatalf("replacement %q not found", tt.old)
			}
			_, err := ParseBOM([]byte(bad))
			if !errors.Is(err, ErrBadBOM) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrBadBOM mentioning %q", err, tt.want)
			}
		})
	}
}

func FuzzParseBOM(f *testing.F) {
	b, _, _ := sampleBOM(f)
	f.Add(b)
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6"}`))
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"data","name":"a","version":"1"}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := ParseBOM(in)
		if err != nil {
			if !errors.Is(err, ErrBadBOM) && !errors.Is(err, ErrBadRef) {
				t.Fatalf("error wraps neither ErrBadBOM nor ErrBadRef: %v", err)
			}
			return
		}
		// Whatever is accepted describes a valid tree with that digest.
		tree := core.NewTree(append([]core.TreeEntry(nil), got.Entries...))
		if err := tree.Validate(); err != nil {
			t.Fatalf("accepted invalid tree: %v", err)
		}
		if _, d, _ := core.DigestJSON(tree); d != got.Tree {
			t.Fatalf("accepted files hashing to %s, BOM says %s", d, got.Tree)
		}
	})
}

// TestParseBOMReadsTheOldAllowPickleProperty checks that a BOM written
// before pickle policies, with lockstep:allow-pickle, still says pickles
// were let in (by allow, the only way then).
func TestParseBOMReadsTheOldAllowPickleProperty(t *testing.T) {
	b, _, _ := sampleBOM(t)
	old := bytes.Replace(b, []byte(`"name":"lockstep:pickle-policy","value":"allow"`), []byte(`"name":"lockstep:allow-pickle","value":"true"`), 1)
	if bytes.Equal(old, b) {
		t.Fatalf("sample BOM has no pickle policy property:\n%s", b)
	}
	got, err := ParseBOM(old)
	if err != nil {
		t.Fatal(err)
	}
	if got.PicklePolicy != scan.PickleAllow {
		t.Fatalf("old BOM read with pickle policy %q, want allow", got.PicklePolicy)
	}
}
