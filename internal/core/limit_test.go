package core

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestReadLimited(t *testing.T) {
	b, err := ReadLimited(strings.NewReader("12345"), 5, "doc")
	if err != nil || string(b) != "12345" {
		t.Fatalf("at the limit: %q, %v", b, err)
	}
	r := strings.NewReader(strings.Repeat("x", 1000))
	_, err = ReadLimited(r, 5, "doc.json")
	if !errors.Is(err, ErrTooLarge) || err.Error() != "doc.json is larger than the 5 B limit: too large" {
		t.Fatalf("over the limit: %v", err)
	}
	if r.Len() != 1000-6 {
		t.Errorf("read %d bytes of an oversized document, want 6", 1000-r.Len())
	}
}

func TestReadFileLimitedRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	// Opening a FIFO with no writer blocks forever: this must return.
	if _, err := ReadFileLimited(fifo, 10); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("FIFO: %v", err)
	}
	if _, err := ReadFileLimited(dir, 10); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("directory: %v", err)
	}
	f := filepath.Join(dir, "big")
	os.WriteFile(f, make([]byte, 11), 0o644)
	if _, err := ReadFileLimited(f, 10); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), f) {
		t.Fatalf("big file: %v", err)
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt("short"); got != `"short"` {
		t.Errorf("Excerpt(short) = %s", got)
	}
	long := strings.Repeat("é", 1000)
	got := Excerpt(long)
	if len(got) > ExcerptLen+40 || !strings.HasSuffix(got, "… (2000 bytes)") || strings.Contains(got, `\x`) {
		t.Errorf("Excerpt(long) = %s", got)
	}
	if _, err := ParseDigest(strings.Repeat("z", 1<<20)); err == nil || len(err.Error()) > 200 {
		t.Errorf("a long bad digest is echoed: %.300s", err)
	}
}
