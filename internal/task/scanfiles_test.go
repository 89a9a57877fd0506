package task

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
	"lockstep.dev/lockstep/internal/store"
)

// TestScanPathPicklePolicy pins the format policy for task inputs and
// outputs: every pickle is refused by default, allow-safe lets in pickles
// importing only safe-listed globals (recorded as allowed), allow lets in
// any pickle without a dangerous import, and none lets in os.system.
func TestScanPathPicklePolicy(t *testing.T) {
	dir := "../scan/testdata/policy" // list.pkl is pickle.dumps([1, 2, 3], 2)
	cases := []struct {
		policy, file string
		verdict      string
		msg          string // "" when the file is let in
	}{
		{"", "list.pkl", "refused", "list.pkl is refused (pickle): refused by format policy: pickle (imports nothing)"},
		{"deny", "list.pkl", "refused", "formats: {pickle: allow-safe}"},
		{"allow-safe", "list.pkl", "allowed", ""},
		{"allow-safe", "unknown.pkl", "refused", "imports mylib.make, not on the safe list"},
		{"allow-safe", "evil.pkl", "unsafe", "dangerous: would call os.system('id')"},
		{"allow", "unknown.pkl", "allowed", ""},
		{"allow", "evil.pkl", "unsafe", "refused under every format policy"},
	}
	for _, c := range cases {
		t.Run(c.policy+"/"+c.file, func(t *testing.T) {
			s := &core.TaskSpec{Formats: map[string]string{"pickle": c.policy}}
			recs, msg, err := scanPath(context.Background(), s, "output:m", filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || recs[0].Verdict != c.verdict {
				t.Fatalf("records %+v, want one with verdict %s", recs, c.verdict)
			}
			if (c.msg == "") != (msg == "") || !strings.Contains(msg, c.msg) {
				t.Fatalf("message %q, want one containing %q", msg, c.msg)
			}
			if c.verdict == "allowed" && (recs[0].Policy != c.policy || !strings.Contains(strings.Join(recs[0].Findings, "\n"), "allowed by format policy "+c.policy)) {
				t.Errorf("allowed pickle not recorded with its policy: %v", recs[0].Findings)
			}
		})
	}
}

// A task's inputs are scanned once per content: the verdicts are kept in
// the store's scan memo by digest, and a later task reading the same bytes
// takes them from there instead of scanning the files again.
func TestScanInputsRemembersVerdictsByDigest(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := t.TempDir()
	pkl, err := os.ReadFile("../scan/testdata/policy/list.pkl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "list.pkl"), pkl, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "t.csv"), []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, tree, err := st.PutTree(ctx, dir, store.TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := &core.TaskSpec{Formats: map[string]string{"pickle": "allow-safe"},
		Inputs: map[string]core.Artifact{"data": {Digest: d, Kind: core.KindTree, Source: "path:data"}}}
	allowed, msg, err := scanInputs(ctx, st, s, map[string]string{"data": dir})
	if err != nil || msg != "" {
		t.Fatalf("first scan: %q, %v", msg, err)
	}
	if len(allowed) != 1 || allowed[0].Path != "list.pkl" || allowed[0].Artifact != "input:data" {
		t.Fatalf("allowed files %+v, want list.pkl of input:data", allowed)
	}
	memo := st.Memo("scan")
	cache := scan.NewCache(memo, scanOptions(s))
	var csv core.Digest
	for _, e := range tree.Entries {
		if _, ok := cache.Get(e.Digest, e.Path); !ok {
			t.Errorf("the verdict on %s was not remembered", e.Path)
		}
		if e.Path == "t.csv" {
			csv = e.Digest
		}
	}
	// A verdict remembered for the table's bytes is what the next task
	// goes by: it does not scan the file again.
	cache.Put(csv, &scan.Report{Path: "t.csv", Format: "pickle", Verdict: scan.Unsafe})
	if err := memo.Save(); err != nil {
		t.Fatal(err)
	}
	_, msg, err = scanInputs(ctx, st, s, map[string]string{"data": dir})
	if err != nil || !strings.Contains(msg, "input data: t.csv is unsafe") {
		t.Fatalf("second scan: %q, %v; want the remembered verdict on t.csv", msg, err)
	}
}

// A file input's verdict is remembered under its own name: the same
// bytes are clean as notes.txt and invalid as notes.json, task after task.
func TestScanInputsKeepsAFileInputsName(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	text := []byte("hello\n")
	scanOne := func(name string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, text, 0o644); err != nil {
			t.Fatal(err)
		}
		s := &core.TaskSpec{Inputs: map[string]core.Artifact{"in": {Digest: core.DigestOf(text), Kind: core.KindFile, File: name, Source: "path:" + name}}}
		_, msg, err := scanInputs(ctx, st, s, map[string]string{"in": p})
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	for pass := 1; pass <= 2; pass++ {
		if msg := scanOne("notes.json"); !strings.Contains(msg, "input in: notes.json is invalid") {
			t.Fatalf("pass %d: notes.json: %q, want it refused as invalid", pass, msg)
		}
		if msg := scanOne("notes.txt"); msg != "" {
			t.Fatalf("pass %d: notes.txt: %q, want it let in", pass, msg)
		}
	}
}
