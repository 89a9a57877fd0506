package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"lockstep.dev/lockstep/internal/core"
)

// origin returns the backend itself, below any read cache: what Usage,
// VerifyObjects and CopyTo look at.
func (s *Store) origin() Blob {
	if c, ok := s.blob.(*readCache); ok {
		return c.Blob
	}
	return s.blob
}

// objectInfo is a listed object.
type objectInfo struct {
	d core.Digest
	n int64
}

// listAll returns every object of b, in digest order.
func listAll(ctx context.Context, b Blob) ([]objectInfo, error) {
	var all []objectInfo
	err := b.List(ctx, "", func(d core.Digest, n int64) error {
		all = append(all, objectInfo{d, n})
		return nil
	})
	var stray *StrayFilesError
	if errors.As(err, &stray) {
		err = nil
	}
	return all, err
}

// Usage returns how many objects the store holds and their total size.
func (s *Store) Usage(ctx context.Context) (objects, bytes int64, err error) {
	err = s.origin().List(ctx, "", func(_ core.Digest, n int64) error {
		objects++
		bytes += n
		return nil
	})
	var stray *StrayFilesError
	if errors.As(err, &stray) {
		err = nil
	}
	return objects, bytes, err
}

// VerifyReport is what VerifyObjects did.
type VerifyReport struct {
	Objects int64 `json:"objects"` // objects reread
	Bytes   int64 `json:"bytes"`   // their total size
	Bad     int64 `json:"bad"`     // missing or corrupt
}

// VerifyObjects rereads objects from the backend itself (never from a
// local read cache) and rehashes them: every object, or a random sample
// of sample objects when sample > 0. bad is called, from several
// goroutines one at a time, with each object that is missing or whose
// bytes do not match its digest.
func (s *Store) VerifyObjects(ctx context.Context, sample int, bad func(d core.Digest, err error)) (VerifyReport, error) {
	b := s.origin()
	all, err := listAll(ctx, b)
	if err != nil {
		return VerifyReport{}, fmt.Errorf("verify store %s: %w", b, err)
	}
	if sample > 0 && sample < len(all) {
		rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		all = all[:sample]
	}
	var rep VerifyReport
	var mu sync.Mutex
	err = forEachN(ctx, s.Concurrency(), len(all), func(ctx context.Context, i int) error {
		o := all[i]
		err := s.verifyIn(ctx, b, o.d)
		mu.Lock()
		defer mu.Unlock()
		rep.Objects++
		rep.Bytes += o.n
		if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotFound) {
			rep.Bad++
			bad(o.d, err)
			return nil
		}
		return err
	})
	return rep, err
}

// verifyIn reads object d from b to its end, which checks it.
func (s *Store) verifyIn(ctx context.Context, b Blob, d core.Digest) error {
	r, err := b.Open(ctx, d)
	if err != nil {
		return err
	}
	defer r.Close()
	_, _, err = hashCopy(ctx, nil, r, nil)
	return err
}

// Concurrency is how many objects to read, write or check at once: one
// per CPU for local files, more when each waits on the network.
func (s *Store) Concurrency() int {
	if s.files != nil {
		return runtime.GOMAXPROCS(0)
	}
	return remoteWorkers
}

// CopyReport is what CopyTo did.
type CopyReport struct {
	Objects int64 `json:"objects"` // objects in the source
	Bytes   int64 `json:"bytes"`   // their total size
	Copied  int64 `json:"copied"`  // objects copied
	Present int64 `json:"present"` // objects the destination held already
}

// CopyTo copies every object of s into dst, skipping those dst holds
// already, so that a copy that was interrupted resumes where it stopped.
// Each object is read through s's verifying reader and checked again by
// dst's Put, so a corrupt object stops the copy with its digest named
// and nothing wrong lands in dst. progress, if not nil, is called after
// each object with the report so far.
func (s *Store) CopyTo(ctx context.Context, dst *Store, progress func(CopyReport)) (CopyReport, error) {
	src, to := s.origin(), dst.origin()
	all, err := listAll(ctx, src)
	if err != nil {
		return CopyReport{}, fmt.Errorf("copy store %s: %w", src, err)
	}
	rep := CopyReport{Objects: int64(len(all))}
	for _, o := range all {
		rep.Bytes += o.n
	}
	var copied, present atomic.Int64
	var mu sync.Mutex
	err = forEachN(ctx, max(s.Concurrency(), dst.Concurrency()), len(all), func(ctx context.Context, i int) error {
		d := all[i].d
		if _, err := to.Stat(ctx, d); err == nil {
			present.Add(1)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		} else if err := copyObject(ctx, src, to, d); err != nil {
			return err
		} else {
			copied.Add(1)
		}
		if progress != nil {
			mu.Lock()
			defer mu.Unlock()
			r := rep
			r.Copied, r.Present = copied.Load(), present.Load()
			progress(r)
		}
		return nil
	})
	rep.Copied, rep.Present = copied.Load(), present.Load()
	if err != nil {
		return rep, fmt.Errorf("copy store %s to %s: %w", src, to, err)
	}
	return rep, nil
}

// copyObject puts object d of src into dst through src's verifying reader.
func copyObject(ctx context.Context, src, dst Blob, d core.Digest) error {
	r, err := src.Open(ctx, d)
	if err != nil {
		return err
	}
	defer r.Close()
	return dst.Put(ctx, d, r)
}
