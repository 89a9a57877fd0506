package dataset

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/scan"
)

// TestAddRemembersVerdicts: a file added again, under another name (with
// the same extension) and in another tree, is not scanned again — the verdict remembered for its
// bytes is used, as a planted verdict shows — while the same bytes under
// another format policy are scanned afresh; and a refusal is remembered
// as a refusal.
func TestAddRemembersVerdicts(t *testing.T) {
	e := newEnv(t)
	csv := "x,y\n1,2\n"
	a, err := e.add(t, "first@1", writeFiles(t, filepath.Join(e.root, "a"), map[string]string{"train.csv": csv}), AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tree, err := e.st.GetTree(a.Tree)
	if err != nil {
		t.Fatal(err)
	}
	d := tree.Entries[0].Digest

	// Plant an "unsafe" verdict for those bytes under the default policy.
	memo := e.st.Memo("scan")
	scan.NewCache(memo, scan.Options{}).Put(d, &scan.Report{Path: "train.csv", Format: "pickle", Verdict: scan.Unsafe,
		Findings: []scan.Finding{{Format: "pickle", Severity: scan.SeverityDangerous, Message: "planted"}}})
	if err := memo.Save(); err != nil {
		t.Fatal(err)
	}
	_, err = e.add(t, "second@1", writeFiles(t, filepath.Join(e.root, "b"), map[string]string{"renamed.csv": csv}), AddOptions{})
	if !errors.Is(err, ErrUnsafeContent) || !strings.Contains(err.Error(), "planted") {
		t.Fatalf("re-add of known bytes: err = %v, want the remembered verdict", err)
	}
	// Another policy is another key: scanned, and clean.
	if _, err := e.add(t, "third@1", writeFiles(t, filepath.Join(e.root, "c"), map[string]string{"renamed.csv": csv}),
		AddOptions{Pickle: scan.PickleAllowSafe}); err != nil {
		t.Fatalf("same bytes under another policy: %v", err)
	}

	// A real refusal, remembered, refuses again.
	for _, ref := range []string{"bad@1", "bad@2"} {
		dir := writeFiles(t, filepath.Join(e.root, ref), map[string]string{"model.pkl": pickleBytes})
		if _, err := e.add(t, ref, dir, AddOptions{}); !errors.Is(err, ErrUnsafeContent) {
			t.Fatalf("%s: err = %v, want %v", ref, err, ErrUnsafeContent)
		}
	}
	if r, ok := scan.NewCache(e.st.Memo("scan"), scan.Options{}).Get(core.DigestOf([]byte(pickleBytes)), "model.pkl"); !ok || r.Verdict != scan.Unsafe {
		t.Fatalf("remembered verdict of the pickle = %+v, %v; want unsafe", r, ok)
	}
}
