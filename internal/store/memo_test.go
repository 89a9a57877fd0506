package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMemo: values survive into a later process, a value put again is
// the one read back, and damaged or oversized lines are skipped without
// losing the others.
func TestMemo(t *testing.T) {
	root := filepath.Join(t.TempDir(), ".lockstep")
	s, _ := Open(root)
	m := s.Memo("test")
	m.Put("a", []byte("1"))
	m.Put("b", []byte("2"))
	if err := m.Save(); err != nil {
		t.Fatal(err)
	}
	m2 := s.Memo("test")
	m2.Put("a", []byte("3"))
	if err := m2.Save(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "cache", "memo-test")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("broken line\nc\t!!!\n" + strings.Repeat("x", maxMemoLine+10) + "\n")
	f.Close()
	m3 := s.Memo("test")
	m3.Put("d", []byte("4"))
	m3.Save()
	m4 := s.Memo("test")
	for k, want := range map[string]string{"a": "3", "b": "2", "d": "4"} {
		if v, ok := m4.Get(k); !ok || string(v) != want {
			t.Errorf("%s = %q, %v; want %q", k, v, ok, want)
		}
	}
	if _, ok := m4.Get("c"); ok {
		t.Error("a damaged line was read")
	}
}
