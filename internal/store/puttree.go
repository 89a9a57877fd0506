package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
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
	entries, jobs, err := scanTree(dir, opts)
	if err != nil {
		return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
	}
	results, err := s.hashFiles(ctx, jobs, opts)
	if err == nil {
		err = s.installAll(ctx, jobs, results)
	}
	if err != nil {
		for _, in := range results {
			if in.src != "" && !in.moved {
				os.Remove(in.src)
			}
		}
		return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
	}
	for i, j := range jobs {
		entries[j.idx].Digest = results[i].d
		entries[j.idx].Size = results[i].n
	}
	tree := core.NewTree(entries)
	if err := checkLinks(tree); err != nil {
		return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
	}
	b, err := treeJSON(tree)
	if err != nil {
		return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
	}
	d, err := s.PutBytes(b)
	if err != nil {
		return "", nil, fmt.Errorf("put tree %s: %w", dir, err)
	}
	return d, tree, nil
}

// hashFiles hashes jobs on GOMAXPROCS workers. results[i] belongs to
// jobs[i]; a result with an empty src came from the hash cache. On error
// the results hold the temp files written so far, for cleanup.
func (s *Store) hashFiles(ctx context.Context, jobs []fileJob, opts TreeOptions) ([]ingested, error) {
	results := make([]ingested, len(jobs))
	objDir, err := os.Open(s.objects)
	if err != nil {
		return results, err
	}
	defer objDir.Close()
	fd := int(objDir.Fd())
	err = forEach(ctx, len(jobs), func(ctx context.Context, i int) error {
		in, err := s.hashOne(ctx, fd, jobs[i], opts)
		results[i] = in
		return err
	})
	return results, err
}

// forEach calls fn for 0 ≤ i < n on GOMAXPROCS workers and returns the
// first error; after an error (or when ctx ends) no new i is started and
// the ctx given to fn is cancelled.
func forEach(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				if err := fn(ctx, i); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
				}
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// hashOne returns a cached digest for a job's file or ingests it; objDir
// is an open descriptor of ROOT/objects/sha256.
func (s *Store) hashOne(ctx context.Context, objDir int, j fileJob, opts TreeOptions) (ingested, error) {
	if !opts.Move {
		if d, ok := s.cachedAt(objDir, j.key); ok {
			return ingested{d: d, n: j.key.size}, nil
		}
	}
	in, err := s.ingestFile(ctx, j.path, ingestOptions{noFollow: true, move: opts.Move, progress: opts.Progress})
	if err != nil {
		return ingested{}, fmt.Errorf("%s: %w", j.path, err)
	}
	return in, nil
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
	renamed := false
	for i := range results {
		in := &results[i]
		if in.src == "" {
			continue
		}
		dir, err := s.install(in.src, in.d, in.n)
		if errors.Is(err, syscall.EXDEV) && in.moved {
			// The file sits on another mount of the same device: copy it.
			in.src, in.moved = "", false
			*in, err = s.ingestFile(ctx, jobs[i].path, ingestOptions{noFollow: true, sync: true})
			if err == nil {
				dir, err = s.install(in.src, in.d, in.n)
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", jobs[i].path, err)
		}
		if !in.moved {
			s.cache.remember(in.key, in.d, in.hashedAt)
		}
		in.src = ""
		renamed = renamed || dir != ""
	}
	if renamed {
		return syncFS(s.objects)
	}
	return nil
}
