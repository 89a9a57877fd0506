package task

import (
	"context"
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
