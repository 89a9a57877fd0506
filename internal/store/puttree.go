package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"lockstep.dev/lockstep/internal/core"
)

// TreeOptions tune PutTree.
type TreeOptions struct {
	// Filter, if not nil, is asked about every path under the directory
	// (slash-separated, relative to it); returning false leaves the path
	// out, and for a directory everything under it too.
	Filter func(rel string, isDir bool) bool
	// Progress, if not nil, is called from worker goroutines with the
	// number of bytes hashed since its last call.
	Progress func(bytesHashed int64)
	// Move ingests files by renaming them into the store instead of
	// copying them; the directory is left without its files. A file on
	// another file system, or with other hardlinks, is copied instead.
	// Meant for task outputs that lockstep owns: if PutTree fails, files
	// not yet moved stay where they were but may have been made read-only.
	Move bool
	// ExternalLinks says what to do with a symlink that is absolute or
	// leads outside the tree: refuse it (LinkRefuse, the default), or
	// record the file it points to as a regular file (LinkCopy; a link to
	// anything but a regular file is then left out). LinkCopy is for
	// archiving toolchains, whose virtual environments link their
	// interpreter by absolute path.
	ExternalLinks LinkPolicy
	// Content, if not nil, is called from worker goroutines with the path
	// and digest of each file of at most 1 MiB that is read to be stored,
	// and its bytes (valid only during the call): a caller that must look
	// at every byte, such as a scan, need not read those files again.
	// Files the hash cache vouches for are not read, and not shown.
	Content func(path string, d core.Digest, b []byte)
}

// LinkPolicy says how a tree treats symlinks that leave it.
type LinkPolicy int

// Link policies.
const (
	LinkRefuse LinkPolicy = iota
	LinkCopy
)

// PutTree stores every file under dir and the tree manifest naming them,
// and returns the manifest's digest and the manifest. Files are hashed in
// parallel; unchanged files known to the hash cache are not reread. The
// same content always gives the same digest, whatever the mtimes or the
// order files are read in.
func (s *Store) PutTree(ctx context.Context, dir string, opts TreeOptions) (core.Digest, *core.Tree, error) {
	var known knownDigest
	if !opts.Move { // a moved file's inode becomes the object: no cache
		k, done, err := s.knownObjects()
		if err != nil {
			return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
		}
		defer done()
		known = k
	}
	entries, jobs, err := scanTree(ctx, dir, opts, known)
	if err != nil {
		return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
	}
	var results []ingested
	var stage *staging // nil when every file is known, and for a bucket
	if s.files == nil {
		results, err = s.putRemote(ctx, jobs, opts)
	} else {
		if len(jobs) > 0 {
			if stage, err = newStaging(s.tmp, min(runtime.GOMAXPROCS(0), len(jobs))); err != nil {
				return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
			}
		}
		results, err = s.hashFiles(ctx, jobs, stage, opts)
		if err == nil {
			err = s.installAll(ctx, jobs, results)
		}
	}
	if err != nil {
		for _, in := range results {
			if in.src != "" && !in.moved {
				os.Remove(in.src)
			}
		}
	}
	if rerr := stage.remove(); err == nil {
		err = rerr
	}
	if err != nil {
		return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
	}
	for i, j := range jobs {
		entries[j.idx].Digest = results[i].d
		entries[j.idx].Size = results[i].n
	}
	if len(jobs) > 0 && !opts.Move {
		// The executor that materialises this tree next is another
		// process: it finds the new objects' keys only in the saved cache.
		if err := s.cache.save(); err != nil {
			return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
		}
	}
	tree := core.NewTree(entries)
	if err := checkLinks(tree); err != nil {
		return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
	}
	d, err := s.PutBytes(treeJSON(tree))
	if err != nil {
		return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
	}
	return d, tree, nil
}

// hashFiles ingests jobs on GOMAXPROCS workers, biggest file first,
// each worker writing its temp copies into its own folder of stage, and
// leaves them unsynced for installAll's syncfs.
// results[i] belongs to jobs[i]. On error the results hold the temp files
// written so far, for cleanup.
func (s *Store) hashFiles(ctx context.Context, jobs []fileJob, stage *staging, opts TreeOptions) ([]ingested, error) {
	results := make([]ingested, len(jobs))
	order := largestFirst(jobs)
	workers := runtime.GOMAXPROCS(0)
	wb := newWriteback()
	err := forEachWorker(ctx, workers, len(jobs), func(ctx context.Context, w, k int) error {
		i := order[k]
		j := jobs[i]
		in, err := s.ingestFile(ctx, j.path, ingestOptions{noFollow: true, move: opts.Move, wb: wb, progress: opts.Progress,
			tmpDir: stage.dir(w), whole: contentOf(opts, j.path)})
		if err != nil {
			return fmt.Errorf("%s: %w", j.path, err)
		}
		results[i] = in
		return nil
	})
	if werr := wb.wait(); err == nil {
		err = werr
	}
	return results, err
}

// contentOf returns what shows opts.Content the bytes of the file at
// path, or nil.
func contentOf(opts TreeOptions, path string) func(core.Digest, []byte) {
	if opts.Content == nil {
		return nil
	}
	return func(d core.Digest, b []byte) { opts.Content(path, d, b) }
}

// largestFirst returns the indexes of jobs, biggest file first. Started in
// that order, the big files run side by side at the beginning and the
// small ones fill in at the end, instead of one big file left for last
// while the other workers idle.
func largestFirst(jobs []fileJob) []int {
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(jobs[b].key.size, jobs[a].key.size) })
	return order
}

// forEach calls fn for 0 ≤ i < n on GOMAXPROCS workers and returns the
// first error; after an error (or when ctx ends) no new i is started and
// the ctx given to fn is cancelled. Workers take the next i from a shared
// counter, which costs far less than a channel when most calls are quick
// (files the hash cache knows).
func forEach(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	return forEachN(ctx, runtime.GOMAXPROCS(0), n, fn)
}

// forEachN is forEach on the given number of workers.
func forEachN(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	return forEachWorker(ctx, workers, n, func(ctx context.Context, _, i int) error { return fn(ctx, i) })
}

// forEachWorker is forEachN whose fn is also told which worker (0 ≤ w <
// min(workers, n)) calls it; a worker's calls never overlap, so fn may use
// state of the worker's own without locking.
func forEachWorker(ctx context.Context, workers, n int, fn func(ctx context.Context, w, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for w := range min(workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, w, i); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
				}
			}
		})
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// installAll makes the hashed files durable with one syncfs, renames them
// into place, makes the new names durable with a second syncfs (one call
// instead of an fsync per touched object directory) and remembers the
// copied files' digests in the hash cache.
func (s *Store) installAll(ctx context.Context, jobs []fileJob, results []ingested) error {
	pending := 0
	for _, in := range results {
		if in.src != "" {
			pending++
		}
	}
	if pending == 0 {
		return nil
	}
	if err := syncFS(s.tmp); err != nil {
		return err
	}
	// Renames into different object folders do not wait for each other:
	// they run on every worker too.
	var renamed atomic.Bool
	err := forEach(ctx, len(results), func(ctx context.Context, i int) error {
		in := &results[i]
		if in.src == "" {
			return nil
		}
		dir, err := s.install(ctx, in.src, in.d, in.n)
		if errors.Is(err, syscall.EXDEV) && in.moved {
			// The file sits on another mount of the same device: copy it.
			in.src, in.moved = "", false
			*in, err = s.ingestFile(ctx, jobs[i].path, ingestOptions{noFollow: true})
			if err == nil {
				dir, err = s.install(ctx, in.src, in.d, in.n)
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", jobs[i].path, err)
		}
		if !in.moved {
			s.cache.remember(in.key, in.d, in.hashedAt)
		}
		in.src = ""
		if dir != "" {
			renamed.Store(true)
			if !in.moved {
				s.rememberObjectFile(in.d)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if renamed.Load() {
		return syncFS(s.tmp) // the objects' file system too
	}
	return nil
}
