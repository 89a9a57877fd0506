package core

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// writerEnv makes the test binary a process that rewrites one file for
// ever, alternating two contents, until it is killed.
const writerEnv = "LOCKSTEP_TEST_ATOMIC_WRITER"

// contents are two versions of a file, large enough that a write takes a
// while and a partial one is easy to tell.
var contents = [2][]byte{bytes.Repeat([]byte("old."), 1<<18), bytes.Repeat([]byte("new!"), 1<<18)}

func TestMain(m *testing.M) {
	if path := os.Getenv(writerEnv); path != "" {
		for i := 0; ; i++ {
			if err := WriteFileAtomic(path, contents[i%2], 0o644); err != nil {
				os.Exit(3)
			}
		}
	}
	os.Exit(m.Run())
}

// TestWriteFileAtomicSurvivesKill kills a writer at many moments: the file
// is always one whole version, never a truncated or mixed one.
func TestWriteFileAtomicSurvivesKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := WriteFileAtomic(path, contents[0], 0o644); err != nil {
		t.Fatal(err)
	}
	for round := range 12 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), writerEnv+"="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+round*13) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if !bytes.Equal(b, contents[0]) && !bytes.Equal(b, contents[1]) {
			t.Fatalf("round %d: the file holds %d bytes that are neither version", round, len(b))
		}
	}
}

func TestWriteAtomicNoReplaceKeepsTheOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builder.key")
	fill := func(b string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, b); return err }
	}
	if err := WriteAtomic(path, WriteOptions{Perm: 0o600, NoReplace: true}, fill("first")); err != nil {
		t.Fatal(err)
	}
	err := WriteAtomic(path, WriteOptions{Perm: 0o600, NoReplace: true}, fill("second"))
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("writing over an existing key: %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Errorf("the key now holds %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp-*")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
}
