package storetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// Run runs the contract suite against the backends open returns; each
// subtest opens a fresh, empty one.
func Run(t *testing.T, open func(t *testing.T) store.Blob) {
	for _, c := range []struct {
		name string
		test func(t *testing.T, b store.Blob)
	}{
		{"RoundTrip", testRoundTrip},
		{"WrongDigest", testWrongDigest},
		{"ConcurrentPuts", testConcurrentPuts},
		{"Corruption", func(t *testing.T, b store.Blob) { testDamaged(t, b, FlipByte) }},
		{"Truncation", func(t *testing.T, b store.Blob) { testDamaged(t, b, Truncate) }},
		{"Missing", testMissing},
		{"List", testList},
		{"Delete", testDelete},
		{"LargeObject", testLarge},
		{"Cancel", testCancel},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, open(t)) })
	}
}

var ctx = context.Background()

// put stores data and returns its digest, failing the test on error.
func put(t *testing.T, b store.Blob, data []byte) core.Digest {
	t.Helper()
	d := core.DigestOf(data)
	if err := b.Put(ctx, d, bytes.NewReader(data)); err != nil {
		t.Fatalf("Put %s: %v", d.Short(), err)
	}
	return d
}

// read returns object d's bytes and the error that ended the read.
func read(b store.Blob, d core.Digest) ([]byte, error) {
	r, err := b.Open(ctx, d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func testRoundTrip(t *testing.T, b store.Blob) {
	data := []byte("the same bytes, back again\n")
	d := put(t, b, data)
	if n, err := b.Stat(ctx, d); err != nil || n != int64(len(data)) {
		t.Fatalf("Stat = %d, %v; want %d", n, err, len(data))
	}
	got, err := read(b, d)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %q, %v; want %q", got, err, data)
	}
	// Idempotent: a second Put of the object neither fails nor reads r.
	if err := b.Put(ctx, d, failingReader{}); err != nil {
		t.Fatalf("second Put of an existing object: %v", err)
	}
	empty := put(t, b, nil)
	if got, err := read(b, empty); err != nil || len(got) != 0 {
		t.Fatalf("empty object: read %q, %v", got, err)
	}
}

// failingReader fails every read: a Put that reads it was not idempotent.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) {
	return 0, errors.New("the bytes of an object the backend already holds were read again")
}

func testWrongDigest(t *testing.T, b store.Blob) {
	d := core.DigestOf([]byte("what the caller meant"))
	err := b.Put(ctx, d, strings.NewReader("what arrived instead"))
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Put of bytes that do not match the digest: err = %v, want ErrCorrupt", err)
	}
	if _, err := b.Stat(ctx, d); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after a refused Put, Stat: err = %v, want ErrNotFound", err)
	}
}

func testConcurrentPuts(t *testing.T, b store.Blob) {
	data := bytes.Repeat([]byte("one object, many writers "), 40000)
	d := core.DigestOf(data)
	errs := make([]error, 16)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = b.Put(ctx, d, bytes.NewReader(data)) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got, err := read(b, d); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after concurrent puts: %d bytes, %v", len(got), err)
	}
}

func testDamaged(t *testing.T, b store.Blob, mutate func([]byte) []byte) {
	d := put(t, b, bytes.Repeat([]byte("precious "), 1000))
	if err := damage(b, d, mutate); err != nil {
		t.Fatal(err)
	}
	_, err := read(b, d)
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("reading a damaged object: err = %v, want ErrCorrupt", err)
	}
	if !strings.Contains(err.Error(), string(d)) {
		t.Fatalf("error %q does not name the object %s", err, d)
	}
}

func testMissing(t *testing.T, b store.Blob) {
	d := core.DigestOf([]byte("never stored"))
	_, statErr := b.Stat(ctx, d)
	_, openErr := b.Open(ctx, d)
	for name, err := range map[string]error{"Stat": statErr, "Open": openErr, "Delete": b.Delete(ctx, d)} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of a missing object: err = %v, want ErrNotFound", name, err)
		}
	}
}

// listed returns what List reports for prefix, failing the test on error.
func listed(t *testing.T, b store.Blob, prefix string) map[core.Digest]int64 {
	t.Helper()
	got := map[core.Digest]int64{}
	var order []core.Digest
	err := b.List(ctx, prefix, func(d core.Digest, n int64) error {
		got[d] = n
		order = append(order, d)
		return nil
	})
	if err != nil {
		t.Fatalf("List %q: %v", prefix, err)
	}
	if !slices.IsSorted(order) {
		t.Errorf("List %q is not in digest order: %v", prefix, order)
	}
	return got
}

func testList(t *testing.T, b store.Blob) {
	want := map[core.Digest]int64{}
	for i := range 20 {
		data := []byte(strings.Repeat("x", i))
		want[put(t, b, data)] = int64(i)
	}
	if got := listed(t, b, ""); !maps(got, want) {
		t.Fatalf("List \"\" = %v, want %v", got, want)
	}
	for d := range want {
		for _, prefix := range []string{string(d), string(d)[:len("sha256:")+2], string(d)[:len("sha256:")+3]} {
			got := listed(t, b, prefix)
			if got[d] != want[d] {
				t.Errorf("List %q misses %s", prefix, d)
			}
			for other := range got {
				if !strings.HasPrefix(string(other), prefix) {
					t.Errorf("List %q reports %s", prefix, other)
				}
			}
		}
	}
	stop := errors.New("stop")
	calls := 0
	err := b.List(ctx, "", func(core.Digest, int64) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("List after fn failed: %d calls, err = %v; want 1 call and fn's error", calls, err)
	}
}

func maps(a, b map[core.Digest]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func testDelete(t *testing.T, b store.Blob) {
	keep := put(t, b, []byte("kept"))
	d := put(t, b, []byte("deleted"))
	if err := b.Delete(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, d); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Stat after Delete: err = %v, want ErrNotFound", err)
	}
	if err := b.Delete(ctx, d); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second Delete: err = %v, want ErrNotFound", err)
	}
	if got := listed(t, b, ""); len(got) != 1 || got[keep] != 4 {
		t.Fatalf("after Delete, List = %v; want only %s", got, keep)
	}
	put(t, b, []byte("deleted")) // a deleted object can be stored again
}

// largeSize is the size of the large object: bigger than any buffer a
// backend should hold, so that holding it would show.
const largeSize = 64 << 20

// pattern is a reader of n reproducible, incompressible-looking bytes,
// generated as they are read.
type pattern struct{ off, n int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		x := uint64(p.off+int64(i)) * 0x9e3779b97f4a7c15
		b[i] = byte(x >> 56)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// allocated returns the bytes fn allocated on the heap.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func testLarge(t *testing.T, b store.Blob) {
	h := core.NewHash()
	if _, err := io.Copy(h, &pattern{n: largeSize}); err != nil {
		t.Fatal(err)
	}
	d := core.DigestFromSum(h.Sum(nil))
	var err error
	if n := allocated(func() { err = b.Put(ctx, d, &pattern{n: largeSize}) }); err != nil || n > largeSize/4 {
		t.Fatalf("Put of %d MiB: %v, %d MiB allocated; want it streamed", largeSize>>20, err, n>>20)
	}
	if n, err := b.Stat(ctx, d); err != nil || n != largeSize {
		t.Fatalf("Stat = %d, %v; want %d", n, err, largeSize)
	}
	var read int64
	n := allocated(func() {
		var r io.ReadCloser
		if r, err = b.Open(ctx, d); err == nil {
			read, err = io.Copy(io.Discard, r)
			r.Close()
		}
	})
	if err != nil || read != largeSize || n > largeSize/4 {
		t.Fatalf("reading %d MiB: %d bytes, %v, %d MiB allocated; want it streamed", largeSize>>20, read, err, n>>20)
	}
}

// cancelAfter cancels a context once n bytes were read from it.
type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(b []byte) (int, error) {
	k, err := c.r.Read(b)
	if c.n -= int64(k); c.n <= 0 {
		c.cancel()
	}
	return k, err
}

func testCancel(t *testing.T, b store.Blob) {
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	data := []byte("never written")
	d := core.DigestOf(data)
	if err := b.Put(cancelled, d, bytes.NewReader(data)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context: err = %v, want context.Canceled", err)
	}
	h := core.NewHash()
	if _, err := io.Copy(h, &pattern{n: largeSize / 4}); err != nil {
		t.Fatal(err)
	}
	big := core.DigestFromSum(h.Sum(nil))
	midway, cancel := context.WithCancel(ctx)
	defer cancel()
	err := b.Put(midway, big, &cancelAfter{r: &pattern{n: largeSize / 4}, n: 1 << 20, cancel: cancel})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put cancelled midway: err = %v, want context.Canceled", err)
	}
	for _, d := range []core.Digest{d, big} {
		if _, err := b.Stat(ctx, d); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a cancelled Put left object %s: Stat err = %v", d.Short(), err)
		}
	}
	put(t, b, data)
	if err := b.List(cancelled, "", func(core.Digest, int64) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("List with a cancelled context: err = %v, want context.Canceled", err)
	}
	if _, err := b.Open(cancelled, core.DigestOf(data)); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: err = %v, want context.Canceled", err)
	}
}
