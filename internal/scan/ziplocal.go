package scan

import (
	"bytes"
	"encoding/binary"
	"io"
)

// zipEntry is one member of a zip, from its local header, its central
// directory record, or both.
type zipEntry struct {
	name    string // central directory name, else local name
	local   string // local header name ("" if no local header was walked)
	method  uint16
	flags   uint16
	csize   int64
	dataOff int64
	inCD    bool
	inLocal bool
}

// Signatures of zip records.
const (
	sigLocal      = "PK\x03\x04"
	sigCentral    = "PK\x01\x02"
	sigDescriptor = "PK\x07\x08"
)

// walkLocal follows the chain of local file headers from the start of the
// file, so members missing from the central directory are found too. cd maps
// data offsets to central directory entries, whose sizes are used when the
// local header does not give one.
func walkLocal(ra io.ReaderAt, size int64, cd map[int64]*zipEntry, max int) []*zipEntry {
	out := make([]*zipEntry, 0, min(len(cd), max))
	off := int64(0)
	var hdr [30]byte
	var meta []byte // the name and extra field of one header, reused
	for len(out) < max && off+30 <= size {
		if _, err := ra.ReadAt(hdr[:], off); err != nil || string(hdr[:4]) != sigLocal {
			break
		}
		flags := binary.LittleEndian.Uint16(hdr[6:])
		method := binary.LittleEndian.Uint16(hdr[8:])
		csize := int64(binary.LittleEndian.Uint32(hdr[18:]))
		nl, el := int64(binary.LittleEndian.Uint16(hdr[26:])), int64(binary.LittleEndian.Uint16(hdr[28:]))
		dataOff := off + 30 + nl + el
		if dataOff > size {
			break
		}
		if int64(cap(meta)) < nl+el {
			meta = make([]byte, nl+el)
		}
		meta = meta[:nl+el]
		if _, err := ra.ReadAt(meta, off+30); err != nil {
			break
		}
		if csize == 0xffffffff {
			csize = zip64Size(meta[nl:])
		}
		e, ok := cd[dataOff]
		if ok {
			// The local name is nearly always the central directory's.
			e.local, e.inLocal = e.name, true
			if string(meta[:nl]) != e.name {
				e.local = string(meta[:nl])
			}
			if flags&8 != 0 || csize <= 0 {
				csize = e.csize
			}
		} else {
			name := string(meta[:nl])
			e = &zipEntry{name: name, local: name, method: method, flags: flags, csize: csize, dataOff: dataOff, inLocal: true}
			if flags&8 != 0 && csize == 0 {
				csize = nextSignature(ra, dataOff, size) - dataOff
				e.csize = csize
			}
		}
		out = append(out, e)
		if csize < 0 || dataOff+csize > size {
			break
		}
		off = dataOff + csize
		if flags&8 != 0 {
			off += descriptorLen(ra, off)
		}
	}
	return out
}

// zip64Size reads the compressed size from a zip64 extended information
// extra field, or returns -1.
func zip64Size(extra []byte) int64 {
	for len(extra) >= 4 {
		id, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if 4+n > len(extra) {
			break
		}
		if id == 1 && n >= 16 {
			return int64(binary.LittleEndian.Uint64(extra[12:]))
		}
		extra = extra[4+n:]
	}
	return -1
}

// descriptorLen returns the length of the data descriptor at off.
func descriptorLen(ra io.ReaderAt, off int64) int64 {
	var sig [4]byte
	if _, err := ra.ReadAt(sig[:], off); err == nil && string(sig[:]) == sigDescriptor {
		return 16
	}
	return 12
}

// nextSignature finds the next local or central header after off, for a
// member whose size only a data descriptor records.
func nextSignature(ra io.ReaderAt, off, size int64) int64 {
	buf := make([]byte, 64<<10)
	for pos := off; pos < size; pos += int64(len(buf)) - 3 {
		n, _ := ra.ReadAt(buf, pos)
		if n < 4 {
			break
		}
		first := -1
		for _, sig := range []string{sigDescriptor, sigLocal, sigCentral} {
			if i := bytes.Index(buf[:n], []byte(sig)); i >= 0 && (first < 0 || i < first) {
				first = i
			}
		}
		if first >= 0 {
			return pos + int64(first)
		}
	}
	return size
}
