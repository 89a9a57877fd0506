package capture

import (
	"os"
	"path/filepath"
	"testing"
)

// filesChanged makes the next verification check the files again, as
// after a step that could have written them.
func filesChanged() { UnconfinedStep()() }

// asNewProcess forgets what this process verified, as a new process
// starts.
func asNewProcess() {
	verifyMemo.Lock()
	clear(verifyMemo.m)
	verifyMemo.Unlock()
	recentChecks.forget()
}

// The tasks of one run share a verification for a moment, but never
// across a step that ran outside the sandbox, nor while one runs.
func TestRecentVerificationIsSharedUntilAnUnconfinedStep(t *testing.T) {
	noDpkg(t)
	site := t.TempDir()
	installDist(t, site, "mod", "1.0", map[string]string{"mod/__init__.py": "x = 1\n"})
	interp := &Interpreter{Path: "/test/python", Paths: []string{site}}
	verify := func() FileCheck {
		t.Helper()
		res, err := verifyInstalled(interp, "")
		if err != nil {
			t.Fatal(err)
		}
		return res.Check
	}
	if c := verify(); !c.Clean() || c.Files != 1 {
		t.Fatalf("installed state: %+v", c)
	}
	patched := filepath.Join(site, "mod", "__init__.py")
	if err := os.WriteFile(patched, []byte("x = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := verify(); !c.Clean() {
		t.Fatalf("a check made a moment ago was not shared: %+v", c)
	}

	ended := UnconfinedStep()
	if c := verify(); len(c.Modified) != 1 {
		t.Fatalf("while an unconfined step runs: %+v, want the patched file reported", c)
	}
	os.WriteFile(patched, []byte("x = 3\n"), 0o644) // the step writes again
	ended()
	if c := verify(); len(c.Modified) != 1 || c.Modified[0].Actual == "" {
		t.Fatalf("after the unconfined step: %+v", c)
	}

	os.WriteFile(patched, []byte("x = 1\n"), 0o644) // put back by someone else
	recentChecks.age(reuseWindow)
	if c := verify(); !c.Clean() {
		t.Fatalf("a check older than %v was shared: %+v", reuseWindow, c)
	}
	if _, ok := recentChecks.Get("unknown", Now()); ok {
		t.Fatal("an interpreter never checked was taken as checked")
	}
}
