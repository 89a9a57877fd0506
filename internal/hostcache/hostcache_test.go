package hostcache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// aged writes a file and moves its times back beyond the racy window, as
// for a file that has not changed lately.
func aged(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

// ask counts how often the answer is really asked for.
type asker struct {
	calls int
	file  string
}

func (a *asker) ask() (string, []string, error) {
	a.calls++
	b, err := os.ReadFile(a.file)
	return string(b), nil, err
}

func TestAnswersOutliveTheProcessUntilAFileChanges(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "status")
	aged(t, db, "pkg 1.0")
	cacheDir := filepath.Join(dir, "cache")
	a := &asker{file: db}
	for i := range 3 {
		// A new Cache over one folder is how the next process sees it.
		got, err := Remember(Open(cacheDir), "db", []string{db}, a.ask)
		if err != nil || got != "pkg 1.0" {
			t.Fatalf("round %d: %q, %v", i, got, err)
		}
	}
	if a.calls != 1 {
		t.Fatalf("asked %d times over three processes, want once", a.calls)
	}
	aged(t, db, "pkg 2.0") // same age class, new size
	got, _ := Remember(Open(cacheDir), "db", []string{db}, a.ask)
	if got != "pkg 2.0" || a.calls != 2 {
		t.Fatalf("after the file changed: %q after %d asks, want the new answer asked again", got, a.calls)
	}
}

func TestAFileThatAppearsInvalidatesTheAnswer(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, ".python-version")
	cacheDir := filepath.Join(dir, "cache")
	calls := 0
	ask := func() (int, []string, error) { calls++; return calls, nil, nil }
	Remember(Open(cacheDir), "k", []string{marker}, ask)
	Remember(Open(cacheDir), "k", []string{marker}, ask)
	aged(t, marker, "3.11")
	if got, _ := Remember(Open(cacheDir), "k", []string{marker}, ask); got != 2 {
		t.Fatalf("answer %d after a version file appeared, want it asked again", got)
	}
}

func TestRecentFilesAreRememberedInMemoryOnly(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh")
	if err := os.WriteFile(fresh, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cacheDir := filepath.Join(dir, "cache")
	c := Open(cacheDir)
	c.Put("k", Stamps(fresh), "v")
	var v string
	if !c.Get("k", &v) || v != "v" {
		t.Fatal("the process forgot its own answer")
	}
	if Open(cacheDir).Get("k", &v) {
		t.Fatal("an answer read from a file changed just now was kept for other processes")
	}
}

func TestDamagedAnswersAreMisses(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	aged(t, src, "x")
	cacheDir := filepath.Join(dir, "cache")
	c := Open(cacheDir)
	c.Put("k", Stamps(src), "v")
	entries, err := os.ReadDir(cacheDir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache folder: %v, %v", entries, err)
	}
	file := filepath.Join(cacheDir, entries[0].Name())
	for _, damaged := range []string{"", "{", `{"key":"other","stamps":[],"value":"w"}`} {
		if err := os.WriteFile(file, []byte(damaged), 0o644); err != nil {
			t.Fatal(err)
		}
		var v string
		if Open(cacheDir).Get("k", &v) {
			t.Fatalf("answer %q read from a damaged file %q", v, damaged)
		}
	}
}

func TestAskErrorsAreNotRemembered(t *testing.T) {
	c := Open(t.TempDir())
	calls := 0
	ask := func() (string, []string, error) { calls++; return "", nil, os.ErrNotExist }
	Remember(c, "k", nil, ask)
	Remember(c, "k", nil, ask)
	if calls != 2 {
		t.Fatalf("a failed answer was remembered (%d asks)", calls)
	}
}

// One process asks the same question for every task: an answer read from
// the folder is kept in memory, yet a file changed since is still seen.
func TestAnswersReadBackStayValidatedInOneProcess(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "status")
	aged(t, db, "pkg 1.0")
	cacheDir := filepath.Join(dir, "cache")
	a := &asker{file: db}
	Remember(Open(cacheDir), "db", []string{db}, a.ask) // an earlier process
	c := Open(cacheDir)
	for i := range 3 {
		if got, err := Remember(c, "db", []string{db}, a.ask); err != nil || got != "pkg 1.0" {
			t.Fatalf("round %d: %q, %v", i, got, err)
		}
	}
	if err := os.Remove(c.file("db")); err != nil {
		t.Fatal(err)
	}
	if got, _ := Remember(c, "db", []string{db}, a.ask); got != "pkg 1.0" || a.calls != 1 {
		t.Fatalf("answer kept in memory: %q after %d asks, want it without asking again", got, a.calls)
	}
	aged(t, db, "pkg 2.00")
	if got, _ := Remember(c, "db", []string{db}, a.ask); got != "pkg 2.00" || a.calls != 2 {
		t.Fatalf("after the file changed: %q after %d asks, want the new answer", got, a.calls)
	}
}
