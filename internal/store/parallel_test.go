package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

func TestLargestFirst(t *testing.T) {
	jobs := []fileJob{{key: fileKey{size: 1}}, {key: fileKey{size: 5}}, {key: fileKey{size: 3}}, {key: fileKey{size: 5}}}
	if got, want := largestFirst(jobs), []int{1, 3, 2, 0}; !slices.Equal(got, want) {
		t.Fatalf("largestFirst = %v, want %v (biggest first, ties in listing order)", got, want)
	}
}

func TestForEachCallsEveryIndexOnce(t *testing.T) {
	calls := make([]atomic.Int32, 1000)
	if err := forEach(context.Background(), len(calls), func(_ context.Context, i int) error {
		calls[i].Add(1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range calls {
		if n := calls[i].Load(); n != 1 {
			t.Fatalf("index %d called %d times, want 1", i, n)
		}
	}
}

func TestForEachStopsAtFirstError(t *testing.T) {
	boom := errors.New("boom")
	var started atomic.Int32
	err := forEach(context.Background(), 100000, func(ctx context.Context, i int) error {
		started.Add(1)
		if i == 10 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("forEach = %v, want the error fn returned", err)
	}
	if n := started.Load(); n > 1000 {
		t.Fatalf("%d calls started after an early error; want forEach to stop handing out work", n)
	}
}

// Files handed to early writeback, copied and moved, come out of the
// store byte for byte.
func TestPutTreeLargeFilesRoundTrip(t *testing.T) {
	for _, move := range []bool{false, true} {
		dir := t.TempDir()
		want := map[string][]byte{}
		rng := rand.NewChaCha8([32]byte{7})
		for i, size := range []int{1 << 20, 3<<20 + 17, 100, 0} {
			b := make([]byte, size)
			rng.Read(b)
			name := fmt.Sprintf("f%d.bin", i)
			want[name] = b
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		s := newStore(t)
		_, tree, err := s.PutTree(context.Background(), dir, TreeOptions{Move: move})
		if err != nil {
			t.Fatalf("move=%v: %v", move, err)
		}
		for name, b := range want {
			e, ok := tree.Lookup(name)
			if !ok || e.Digest != core.DigestOf(b) || e.Size != int64(len(b)) {
				t.Fatalf("move=%v: entry %s = %+v, want digest %s", move, name, e, core.DigestOf(b))
			}
			got, err := s.ReadBytes(e.Digest)
			if err != nil || !bytes.Equal(got, b) {
				t.Fatalf("move=%v: object of %s reads back wrong (%v)", move, name, err)
			}
		}
	}
}
