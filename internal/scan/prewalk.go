package scan

import (
	"archive/zip"
	"io"
	"path"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// minPrewalk is the smallest stored member whose pickle is walked ahead of
// its turn: a smaller one walks in less time than a hand-over costs.
const minPrewalk = 64 << 10

// prewalks walks the stored pickles of a zip on the other cores while the
// scan goes through the members in order, so that a large pickle behind
// thousands of other members is walked while they are looked at. A walk
// depends only on the member's bytes, the limits and the classifier, so
// the report is the same whichever goroutine walks it.
type prewalks struct {
	byEntry map[*zipEntry]*prewalk
	list    []*prewalk
	next    atomic.Int64
	stop    atomic.Bool
	wg      sync.WaitGroup
}

// prewalk is one member's walk: whoever claims it first (a background
// worker, or the scan when it reaches the member) walks it.
type prewalk struct {
	e     *zipEntry
	claim atomic.Bool
	done  chan struct{}
	w     *pickleWalk
}

// startPrewalks starts walking, in the background, the stored members of
// the central directory whose first bytes are a pickle and no other
// format. It returns nil on one core or when there is nothing to walk.
func (s *scanner) startPrewalks(cd map[int64]*zipEntry, meta, ra io.ReaderAt, size int64) *prewalks {
	workers := runtime.GOMAXPROCS(0) - 1
	if workers < 1 || len(cd) > s.lim.MaxMembers {
		return nil
	}
	// The scan reaches the first member at once: walking it ahead gains
	// nothing (a PyTorch zip's data.pkl comes first) and costs a hand-over.
	first := int64(-1)
	for _, e := range cd {
		if first < 0 || e.dataOff < first {
			first = e.dataOff
		}
	}
	p := &prewalks{byEntry: map[*zipEntry]*prewalk{}}
	head := make([]byte, headSize)
	for _, e := range cd {
		if e.method != zip.Store || e.flags&1 != 0 || e.csize < minPrewalk || e.dataOff+e.csize > size ||
			e.dataOff == first || claimed(path.Base(e.name)) == "safetensors" {
			continue
		}
		if n, _ := meta.ReadAt(head, e.dataOff); n < len(head) ||
			sniff(head, e.csize) != "" || probePickle(head, e.csize, s.lim) == probeNo {
			continue
		}
		w := &prewalk{e: e, done: make(chan struct{})}
		p.byEntry[e] = w
		p.list = append(p.list, w)
	}
	if len(p.list) == 0 {
		return nil
	}
	sort.Slice(p.list, func(i, j int) bool { return p.list[i].e.dataOff < p.list[j].e.dataOff })
	for range min(workers, len(p.list)) {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for !p.stop.Load() {
				i := p.next.Add(1) - 1
				if i >= int64(len(p.list)) {
					return
				}
				w := p.list[i]
				if w.claim.CompareAndSwap(false, true) {
					w.w = s.walkMember(io.NewSectionReader(ra, w.e.dataOff, w.e.csize), w.e.csize)
					close(w.done)
				}
			}
		}()
	}
	return p
}

// of returns the walk started for e, or nil.
func (p *prewalks) of(e *zipEntry) *prewalk {
	if p == nil {
		return nil
	}
	return p.byEntry[e]
}

// finish stops the workers and waits for the walks under way.
func (p *prewalks) finish() {
	if p == nil {
		return
	}
	p.stop.Store(true)
	p.wg.Wait()
}

// result returns the walk of the member, walking it now with walk unless a
// worker has claimed it, in which case it waits for the worker.
func (w *prewalk) result(walk func() *pickleWalk) *pickleWalk {
	if w == nil || w.claim.CompareAndSwap(false, true) {
		return walk()
	}
	<-w.done
	return w.w
}

// walkMember walks the pickles in size bytes of ra: quickly when the quick
// walk can tell what the full walk would find, fully otherwise.
func (s *scanner) walkMember(ra io.ReaderAt, size int64) *pickleWalk {
	if w, ok := quickWalk(ra, size, s.lim, s.cls); ok {
		if quickAudit != nil {
			quickAudit(w, s.fullWalk(ra, size))
		}
		return w
	}
	return s.fullWalk(ra, size)
}

// quickAudit, when set (the tests set it), is shown every quick walk the
// scan relies on beside the full walk of the same bytes.
var quickAudit func(quick, full *pickleWalk)

// fullWalk walks the pickles in size bytes of ra with the full walker.
func (s *scanner) fullWalk(ra io.ReaderAt, size int64) *pickleWalk {
	var r io.Reader = io.NewSectionReader(ra, 0, size)
	if m, ok := ra.(*memFile); ok {
		r = &chunkReader{data: m.data[:size]}
	}
	br := pooledReader(r)
	defer func() {
		br.Reset(nil)
		readerPool.Put(br)
	}()
	return walkPickles(br, size, s.lim, s.cls)
}
