package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sync/errgroup"

	"lockstep.dev/lockstep/internal/core"
)

// File scans the file at path. The error is only for I/O problems; what the
// file holds is described by the report.
func File(ctx context.Context, path string, opts Options) (*Report, error) {
	// A FIFO or a device is refused before it is opened (opening a FIFO
	// blocks until a writer comes); O_NONBLOCK keeps a file swapped for
	// one in between from blocking the open, and Stat below refuses it.
	if err := core.CheckRegular(path); err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	return scanFile(ctx, path, os.O_RDONLY|syscall.O_NONBLOCK, opts)
}

// scanFile opens path with flags and scans it if it is a regular file.
func scanFile(ctx context.Context, path string, flags int, opts Options) (*Report, error) {
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("scan %s: not a regular file", path)
	}
	s := newScanner(ctx, path, opts)
	s.baseDir = filepath.Dir(path)
	return s.run(f, fi.Size())
}

// Tree scans every regular file under dir in parallel and returns the
// reports sorted by path. Symbolic links are not followed.
func Tree(ctx context.Context, dir string, opts Options) ([]*Report, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("scan tree %s: %w", dir, err)
	}
	sort.Strings(paths)
	reports := make([]*Report, len(paths))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range paths {
		g.Go(func() error {
			// The walk saw a regular file: no stat before the open, which
			// follows no symlink and does not block on a FIFO swapped in
			// meanwhile (scanFile's fstat refuses either).
			r, err := scanFile(ctx, p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, opts)
			reports[i] = r
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return reports, nil
}

// Reader scans size bytes of r, reporting them under name. The error is only
// for I/O problems.
func Reader(ctx context.Context, name string, r io.ReaderAt, size int64, opts Options) (*Report, error) {
	return newScanner(ctx, name, opts).run(r, size)
}

// scanner holds the state of one file's scan.
type scanner struct {
	ctx     context.Context
	opts    Options
	lim     Limits
	cls     *classifier
	rep     *Report
	baseDir string // directory of a file on disk, for ONNX external data

	// pending is the walk started ahead for the member the next scanAt
	// call scans (see prewalks).
	pending *prewalk
	// tensorHead holds the first bytes of one tensor storage at a time.
	tensorHead [512]byte

	mu      sync.Mutex
	ioErr   error // first read error of the underlying file
	members int   // archive members scanned, across every nesting level
}

// countMember counts one more archive member against Limits.MaxMembers,
// which bounds a whole file so that nested or overlapping archives cannot
// multiply the work. It reports false once the limit is reached.
func (s *scanner) countMember(member, format string) bool {
	s.members++
	if s.members == s.lim.MaxMembers+1 {
		s.add(Finding{Member: member, Format: format, Severity: SeverityUnscannable,
			Message: fmt.Sprintf("more than %d archive members in the file (Limits.MaxMembers)", s.lim.MaxMembers)})
	}
	return s.members <= s.lim.MaxMembers
}

func newScanner(ctx context.Context, name string, opts Options) *scanner {
	return &scanner{
		ctx:  ctx,
		opts: opts,
		lim:  opts.Limits.withDefaults(),
		cls:  newClassifier(opts.AllowGlobals),
		rep:  &Report{Path: name},
	}
}

func (s *scanner) run(r io.ReaderAt, size int64) (*Report, error) {
	ra := &recordingReaderAt{r: r, s: s, size: size}
	s.rep.Format = s.scanAt("", filepath.Base(s.rep.Path), ra, size, 0)
	if s.ioErr != nil {
		return nil, fmt.Errorf("scan %s: %w", s.rep.Path, s.ioErr)
	}
	if err := s.ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan %s: %w", s.rep.Path, err)
	}
	s.rep.Verdict = verdictOf(s.rep.Findings)
	return s.rep, nil
}

// reported reports whether a finding added since index before already
// carries err's message.
func (s *scanner) reported(before int, err error) bool {
	for _, f := range s.rep.Findings[before:] {
		if strings.Contains(f.Message, err.Error()) {
			return true
		}
	}
	return false
}

// add records a finding.
func (s *scanner) add(f Finding) {
	s.rep.Findings = append(s.rep.Findings, f)
}

// fail records a failure to read a format: a reached limit makes the file
// unscannable, anything else makes it invalid.
func (s *scanner) fail(member, format string, err error) {
	sev := SeverityInvalid
	if errors.Is(err, errLimit) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		sev = SeverityUnscannable
	}
	s.add(Finding{Member: member, Format: format, Severity: sev, Message: err.Error()})
}

// recordingReaderAt remembers the first genuine read error of the file being
// scanned, so File can return it instead of calling the content invalid.
// Reads outside the file are the content's fault (a bad offset in a header)
// and are answered with an error wrapping io.EOF.
type recordingReaderAt struct {
	r    io.ReaderAt
	s    *scanner
	size int64
}

func (r *recordingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if err := r.s.ctx.Err(); err != nil {
		return 0, err // interrupted: stop reading at once
	}
	if off < 0 || off >= r.size {
		return 0, fmt.Errorf("read at offset %d outside the %d-byte file: %w", off, r.size, io.EOF)
	}
	n, err := r.r.ReadAt(p, off)
	if err != nil && err != io.EOF {
		r.s.mu.Lock()
		if r.s.ioErr == nil {
			r.s.ioErr = err
		}
		r.s.mu.Unlock()
	}
	return n, err
}

// child names a member inside a container member.
func child(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "!" + name
}
