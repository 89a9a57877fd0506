package attest

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"lockstep.dev/lockstep/internal/core"
)

// modelPiece is a hashed file, or a hashed shard [start, end) of a file.
type modelPiece struct {
	file       modelFile
	start, end int64
	digest     []byte
}

// modelManifest is a hashed model directory in resource order.
type modelManifest struct {
	shardSize int64 // 0: one piece per file ("files" method)
	pieces    []modelPiece
	files     int
}

// bufPool holds the read buffers of hashing workers.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// hashModel hashes the files of dir in parallel, whole or in shards of
// shardSize bytes, streaming each piece through SHA-256.
func hashModel(ctx context.Context, dir string, ignore []string, allowSymlinks bool, shardSize int64) (*modelManifest, error) {
	files, err := listModelFiles(dir, ignore, allowSymlinks)
	if err != nil {
		return nil, err
	}
	m := &modelManifest{shardSize: shardSize, files: len(files)}
	for _, f := range files {
		if shardSize <= 0 {
			m.pieces = append(m.pieces, modelPiece{file: f, end: f.size})
			continue
		}
		for start := int64(0); start < f.size; start += shardSize {
			m.pieces = append(m.pieces, modelPiece{file: f, start: start, end: min(start+shardSize, f.size)})
		}
	}
	sort.Slice(m.pieces, func(i, j int) bool {
		a, b := m.pieces[i], m.pieces[j]
		if c := comparePosixPath(a.file.rel, b.file.rel); c != 0 {
			return c < 0
		}
		return a.start < b.start
	})
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range m.pieces {
		p := &m.pieces[i]
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			d, err := hashPiece(p.file.full, p.start, p.end, shardSize > 0)
			if err != nil {
				return fmt.Errorf("hash model file %s: %w", p.file.rel, err)
			}
			p.digest = d
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return m, nil
}

// hashPiece returns the SHA-256 of bytes [start, end) of the file, or of
// the whole file when it is not a shard.
func hashPiece(path string, start, end int64, shard bool) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if shard {
		r = io.NewSectionReader(f, start, end-start)
	}
	buf := bufPool.Get().(*[]byte)
	defer bufPool.Put(buf)
	h := core.NewHash()
	n, err := io.CopyBuffer(h, r, *buf)
	if err != nil {
		return nil, err
	}
	if shard && n != end-start {
		return nil, fmt.Errorf("file shrank while hashing: read %d bytes at %d, want %d", n, start, end-start)
	}
	return h.Sum(nil), nil
}

// algorithm is the resource algorithm name the reference implementation
// writes.
func (m *modelManifest) algorithm() string {
	if m.shardSize > 0 {
		return fmt.Sprintf("sha256-sharded-%d", m.shardSize)
	}
	return "sha256"
}

// resources lists the manifest as predicate resources, in order.
func (m *modelManifest) resources() []modelResource {
	out := make([]modelResource, len(m.pieces))
	alg := m.algorithm()
	for i, p := range m.pieces {
		name := p.file.rel
		if m.shardSize > 0 {
			name = fmt.Sprintf("%s:%d:%d", p.file.rel, p.start, p.end)
		}
		out[i] = modelResource{Name: name, Algorithm: alg, Digest: hex.EncodeToString(p.digest)}
	}
	return out
}
