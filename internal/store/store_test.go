package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// newStore opens a fresh store in a temp folder.
func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), ".lockstep"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPutOpenRoundTrip(t *testing.T) {
	s := newStore(t)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"small", []byte("hello\n")},
		{"several buffers", bytes.Repeat([]byte("0123456789abcdef"), 3*bufSize/16+7)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, n, err := s.Put(context.Background(), bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if want := core.DigestOf(tc.data); d != want || n != int64(len(tc.data)) {
				t.Fatalf("Put = %s, %d; want %s, %d", d, n, want, len(tc.data))
			}
			got, err := s.ReadBytes(d)
			if err != nil || !bytes.Equal(got, tc.data) {
				t.Fatalf("ReadBytes = %d bytes, %v; want the %d bytes put", len(got), err, len(tc.data))
			}
			if size, err := s.Size(d); err != nil || size != n {
				t.Fatalf("Size = %d, %v; want %d", size, err, n)
			}
			fi, err := os.Stat(s.files.ObjectFile(d))
			if err != nil || fi.Mode().Perm() != 0o444 {
				t.Fatalf("object file mode = %v, %v; want 0444", fi.Mode(), err)
			}
		})
	}
}

func TestPutJSONGetJSON(t *testing.T) {
	s := newStore(t)
	in := map[string]any{"b": []any{"x", "<y>"}, "a": 1.5}
	d, err := s.PutJSON(in)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := s.ReadBytes(d)
	if want := `{"a":1.5,"b":["x","<y>"]}`; string(raw) != want {
		t.Fatalf("stored %s, want canonical %s", raw, want)
	}
	var out map[string]any
	if err := s.GetJSON(d, &out); err != nil {
		t.Fatal(err)
	}
	if out["a"] != 1.5 || out["b"].([]any)[1] != "<y>" {
		t.Fatalf("GetJSON = %v, want %v", out, in)
	}
}

func TestDedup(t *testing.T) {
	s := newStore(t)
	d1, _ := s.PutBytes([]byte("same"))
	d2, _ := s.PutBytes([]byte("same"))
	if d1 != d2 {
		t.Fatalf("digests differ: %s %s", d1, d2)
	}
	if n := countObjects(t, s); n != 1 {
		t.Fatalf("%d objects after putting the same bytes twice, want 1", n)
	}
	if left, _ := os.ReadDir(s.tmp); len(left) != 0 {
		t.Fatalf("temp files left behind: %v", left)
	}
}

func countObjects(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	if err := s.Walk(context.Background(), func(core.Digest, int64) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMissingObject(t *testing.T) {
	s := newStore(t)
	d := core.DigestOf([]byte("never stored"))
	if s.Has(d) {
		t.Fatal("Has reports a missing object")
	}
	for name, err := range map[string]error{
		"Size":   func() error { _, err := s.Size(d); return err }(),
		"Open":   func() error { _, err := s.Open(d); return err }(),
		"Verify": s.Verify(d),
		"Remove": s.Remove(d),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	if _, err := s.Size("sha256:nothex"); !errors.Is(err, core.ErrBadDigest) {
		t.Errorf("Size of a malformed digest: err = %v, want ErrBadDigest", err)
	}
}

// corrupt flips one byte of object d's file.
func corrupt(t *testing.T, s *Store, d core.Digest) {
	t.Helper()
	p := s.files.ObjectFile(d)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o444); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptObject(t *testing.T) {
	s := newStore(t)
	d, _ := s.PutBytes([]byte(strings.Repeat("precious data ", 100)))
	if err := s.Verify(d); err != nil {
		t.Fatalf("Verify of a good object: %v", err)
	}
	corrupt(t, s, d)
	if err := s.Verify(d); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Verify: err = %v, want ErrCorrupt", err)
	}
	r, err := s.Open(d)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.ReadAll(r); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("reading: err = %v, want ErrCorrupt", err)
	}
	var v any
	if err := s.GetJSON(d, &v); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("GetJSON: err = %v, want ErrCorrupt", err)
	}
}

func TestConcurrentPuts(t *testing.T) {
	s := newStore(t)
	data := bytes.Repeat([]byte("concurrent "), 50000)
	want := core.DigestOf(data)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			d, _, err := s.Put(context.Background(), bytes.NewReader(data))
			if err == nil && d != want {
				err = errors.New("wrong digest " + d.String())
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Verify(want); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(s.tmp); len(left) != 0 {
		t.Fatalf("%d temp files left behind", len(left))
	}
}

func TestPutCancelled(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.Put(ctx, bytes.NewReader([]byte("x"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if left, _ := os.ReadDir(s.tmp); len(left) != 0 || countObjects(t, s) != 0 {
		t.Fatalf("a cancelled Put left %d temp files or an object", len(left))
	}
}

// TestPutJSONAgainAfterRemoval: a value put again gets the digest it got
// before, and is stored again once gc removed its object, though the
// store remembers the digest of its encoding.
func TestPutJSONAgainAfterRemoval(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), ".lockstep"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v := struct {
		B string `json:"b"`
		A []int  `json:"a"`
	}{"x", []int{2, 1}}
	d1, err := s.PutJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := core.CanonicalJSON(v)
	if d1 != core.DigestOf(want) {
		t.Fatalf("PutJSON = %s, want the digest of the canonical form %s", d1, want)
	}
	if d2, err := s.PutJSON(v); err != nil || d2 != d1 {
		t.Fatalf("put again: %s, %v; want %s", d2, err, d1)
	}
	if err := s.Remove(d1); err != nil {
		t.Fatal(err)
	}
	if d3, err := s.PutJSON(v); err != nil || d3 != d1 || !s.Has(d1) {
		t.Fatalf("put after removal: %s, %v, stored %v; want %s stored again", d3, err, s.Has(d1), d1)
	}
}
