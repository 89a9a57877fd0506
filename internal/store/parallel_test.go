package store

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
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
