package task

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// TestScanPathPicklePolicy pins the format policy for task inputs and
// outputs: every pickle is refused by default, allow-safe lets in pickles
// importing only safe-listed globals (recorded as allowed), allow lets in
// any pickle without a dangerous import, and none lets in os.system.
func TestScanPathPicklePolicy(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"list.pkl":    "\x80\x02]q\x00(K\x01K\x02K\x03e.", // pickle.dumps([1, 2, 3], 2)
		"unknown.pkl": "\x80\x02cmylib\nmake\n)R.",
		"evil.pkl":    "\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
