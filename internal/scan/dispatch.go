package scan

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sync"
)

// scanAt scans size bytes of ra as member (name is its file name) and
// returns the format it found.
func (s *scanner) scanAt(member, name string, ra io.ReaderAt, size int64, depth int) string {
	pre := s.pending // the walk of this very member, started ahead
	s.pending = nil
	// A small file of the scan is read whole, in one read (see readWhole);
	// anything else has its head read.
	rr, top := ra.(*recordingReaderAt)
	top = top && size <= maxMemFile
	n := min(size, headSize)
	if top {
		n = size
	}
	bp := getBuf(int(n))
	defer putBuf(bp)
	head := (*bp)[:min(size, headSize)]
	var mem *memFile
	if top {
		mem = rr.readWhole(*bp)
	}
	if mem == nil {
		if n, err := ra.ReadAt(head, 0); n < len(head) {
			s.fail(member, "unknown", fmt.Errorf("read: %w", noEOF(err)))
			return "unknown"
		}
	}
	switch format := sniff(head, size); format {
	case "zip":
		return s.zip(member, ra, size, depth)
	case "parquet":
		s.parquet(member, ra, size)
		return format
	case "hdf5":
		s.hdf5(member, ra, size)
		return format
	case "avro":
		s.avro(member, ra, size)
		return format
	case "safetensors":
		s.safetensors(member, ra, size)
		return format
	case "":
		if claimed(name) == "safetensors" && len(head) > 8 && head[8] == '{' {
			s.safetensors(member, ra, size)
			return "safetensors"
		}
	default:
		return s.scanStream(member, name, sectionReader(ra, size), size, depth)
	}
	// Neither a container nor a columnar format: several passes read the
	// bytes, so those of a small file, read whole, are shared.
	var data []byte
	if mem != nil {
		ra, data = mem, mem.data
	}
	zhead := head
	if data != nil {
		zhead = data
	}
	if hasEndOfZip(ra, size, zhead) {
		// A zip whose members start after a prefix (a polyglot): zip
		// readers that look only at the end of the file still open it.
		s.zip(member, ra, size, depth)
	}
	w := pre.result(func() *pickleWalk {
		if failsFirstOpcode(head) {
			return &pickleWalk{trailing: -1} // not a pickle, as most text is not
		}
		return s.walkMember(ra, size)
	})
	if w.isPickle() {
		return s.pickleFindings(member, w)
	}
	if len(head) > 0 && head[0] == 0x08 && s.onnx(member, ra, size) {
		return "onnx"
	}
	if data != nil {
		return s.plain(member, name, nil, data, head)
	}
	return s.plain(member, name, sectionReader(ra, size), nil, head)
}

// sectionReader reads size bytes of ra through a buffer of up to 64 KiB,
// no larger than the data: a PyTorch zip has thousands of tiny members.
func sectionReader(ra io.ReaderAt, size int64) *bufio.Reader {
	return bufio.NewReaderSize(io.NewSectionReader(ra, 0, size), int(min(max(size, 16), 64<<10)))
}

// scanStream scans a member that can only be read once, such as the output
// of a decompressor. size is its length, or -1 if unknown.
func (s *scanner) scanStream(member, name string, r io.Reader, size int64, depth int) string {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	head, _ := br.Peek(headSize)
	if size >= 0 && int64(len(head)) > size {
		head = head[:size]
	}
	switch format := sniff(head, size); format {
	case "gzip", "bz2", "xz", "lz4", "zstd", "zlib", "lzma":
		if depth >= s.lim.MaxDepth {
			s.tooDeep(member, format)
			return format
		}
		s.decompress(member, name, format, br, depth+1)
		return format
	case "7z", "rar":
		s.add(Finding{Member: member, Format: format, Severity: SeverityUnscannable,
			Message: format + " archives cannot be scanned: extract the files and scan them, or store them as zip or tar"})
		return format
	case "tar":
		return s.tar(member, br, depth)
	case "npy":
		s.npy(member, br, size)
		return format
	case "":
		switch probePickle(head, size, s.lim) {
		case probeYes:
			return s.pickleFindings(member, walkPickles(br, size, s.lim, s.cls))
		case probeNo:
			if !(len(head) > 0 && head[0] == 0x08) {
				return s.plain(member, name, br, nil, head)
			}
		}
	}
	return s.spilled(member, name, br, depth)
}

// failsFirstOpcode reports whether walking the pickles of a file that
// starts with head fails at its first opcode, importing nothing: the walk
// would find no pickle. That is so when the first byte is no opcode, and
// when it is GLOBAL or INST ('c', 'i': a table whose header starts "id,")
// and the module name on the rest of the first line is not a dotted name
// (a line too long for the head is longer than any such name, or runs into
// the end of the file).
func failsFirstOpcode(head []byte) bool {
	switch {
	case len(head) == 0:
		return false
	case head[0] == 'c' || head[0] == 'i':
		end := bytes.IndexByte(head, '\n')
		return end < 0 || !validDotted(string(bytes.TrimSuffix(head[1:end], []byte{'\r'})))
	}
	return !isOpcode[head[0]]
}

// pickleFindings records the findings of a pickle walk and names the format.
func (s *scanner) pickleFindings(member string, w *pickleWalk) string {
	for _, f := range w.findings(member, s.opts.Pickle) {
		s.add(f)
	}
	if w.legacy {
		return "pytorch-legacy"
	}
	return "pickle"
}

// tooDeep records that containers nest beyond Limits.MaxDepth.
func (s *scanner) tooDeep(member, format string) {
	s.add(Finding{Member: member, Format: format, Severity: SeverityUnscannable,
		Message: fmt.Sprintf("containers nested deeper than %d levels (Limits.MaxDepth)", s.lim.MaxDepth)})
}

// Outcomes of probing the head of a stream for a pickle.
const (
	probeNo    = iota // not a pickle
	probeYes          // a pickle
	probeMaybe        // the head is too short to tell
)

// probePickle walks the head of a stream to decide whether it is a pickle.
func probePickle(head []byte, size int64, lim Limits) int {
	if len(head) >= 2 && !isOpcode[head[0]] {
		return probeNo // what the walk would find at the first byte
	}
	whole := size >= 0 && int64(len(head)) >= size
	n := int64(-1)
	if whole {
		n = int64(len(head))
	}
	w := walkPickles(bytes.NewReader(head), n, lim, newClassifier(nil))
	switch {
	case w.isPickle():
		return probeYes
	case !whole && w.err != nil && w.end >= int64(len(head)):
		return probeMaybe
	}
	return probeNo
}

// endOfZipSpan is how far from the end of a file a zip's
// end-of-central-directory record can start: its 22 bytes plus a comment
// of up to 65,535.
const endOfZipSpan = 22 + 0xffff

// tailPool holds the buffers hasEndOfZip reads a file's tail into.
var tailPool = sync.Pool{New: func() any { b := make([]byte, endOfZipSpan); return &b }}

// hasEndOfZip reports whether the last 64 KiB of the file hold a zip
// end-of-central-directory record that leads to at least one member. head
// is the file's first bytes, already read (or all of them): a file no
// longer than head is searched there, and a longer one is read into a pooled buffer, so that
// scanning many small files allocates nothing here. The signature is
// looked for with bytes.Index, which is vectorised: any occurrence will do,
// since zip.NewReader then finds the record itself.
func hasEndOfZip(ra io.ReaderAt, size int64, head []byte) bool {
	if size < 22 {
		return false
	}
	tail := head[len(head)-min(len(head), endOfZipSpan):]
	if int64(len(head)) < size {
		bp := tailPool.Get().(*[]byte)
		defer tailPool.Put(bp)
		n := min(size, endOfZipSpan)
		tail = (*bp)[:n]
		if _, err := ra.ReadAt(tail, size-n); err != nil && err != io.EOF {
			return false
		}
	}
	if !bytes.Contains(tail, []byte("PK\x05\x06")) {
		return false
	}
	zr, err := zip.NewReader(ra, size)
	return err == nil && len(zr.File) > 0
}
