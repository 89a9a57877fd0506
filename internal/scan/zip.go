package scan

import (
	"archive/zip"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// isTensorData reports whether name is that of a raw storage member of a
// PyTorch zip: data/ followed by digits, at the top or under a folder.
func isTensorData(name string) bool {
	dir, base := path.Split(name)
	if base == "" || (dir != "data/" && !strings.HasSuffix(dir, "/data/")) {
		return false
	}
	for i := 0; i < len(base); i++ {
		if base[i] < '0' || base[i] > '9' {
			return false
		}
	}
	return true
}

// zip scans every member of a zip archive, found through the central
// directory and through the chain of local headers.
func (s *scanner) zip(member string, ra io.ReaderAt, size int64, depth int) string {
	if depth >= s.lim.MaxDepth {
		s.tooDeep(member, "zip")
		return "zip"
	}
	// Headers and the heads of members are read through one window; the
	// content of members is read from ra.
	meta := newWindow(ra, size)
	defer meta.release()
	var cd map[int64]*zipEntry
	zr, cdErr := zip.NewReader(meta, size)
	if cdErr == nil {
		cd = make(map[int64]*zipEntry, len(zr.File))
		all := make([]zipEntry, len(zr.File))
		for i, f := range zr.File {
			off, err := f.DataOffset()
			if err != nil {
				continue
			}
			all[i] = zipEntry{name: f.Name, method: f.Method, flags: f.Flags, csize: int64(f.CompressedSize64), dataOff: off, inCD: true}
			cd[off] = &all[i]
		}
	}
	pre := s.startPrewalks(cd, meta, ra, size)
	defer pre.finish()
	entries := walkLocal(meta, size, cd, s.lim.MaxMembers)
	for _, e := range cd {
		if !e.inLocal {
			entries = append(entries, e)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].dataOff < entries[j].dataOff })
	if len(entries) == 0 && cdErr != nil {
		s.fail(member, "zip", fmt.Errorf("zip: no readable member: %w", cdErr))
		return "zip"
	}
	if cdErr != nil {
		s.add(Finding{Member: member, Format: "zip", Severity: SeverityInvalid,
			Message: "central directory unreadable (" + cdErr.Error() + "); members were found from their local headers"})
	}
	if len(entries) > s.lim.MaxMembers {
		s.add(Finding{Member: member, Format: "zip", Severity: SeverityUnscannable,
			Message: fmt.Sprintf("more than %d members (Limits.MaxMembers)", s.lim.MaxMembers)})
		entries = entries[:s.lim.MaxMembers]
	}
	format := zipFormat(entries)
	var end int64
	for i, e := range entries {
		if s.ctx.Err() != nil {
			s.fail(member, format, s.ctx.Err())
			break
		}
		if !s.countMember(member, format) {
			break
		}
		if i > 0 && e.dataOff < end {
			s.add(Finding{Member: child(member, e.name), Format: "zip", Severity: SeverityInvalid,
				Message: "member data overlaps the previous member, a zip bomb technique; no archiver writes this"})
		}
		end = max(end, e.dataOff+e.csize)
		s.zipMember(member, format, e, ra, meta, size, depth, pre.of(e))
	}
	if format == "keras" {
		s.kerasZip(member, entries, ra, depth)
	}
	return format
}

// zipMember scans one member's content; meta reads the head of a tensor
// storage, and pre is the member's walk started ahead, if any.
func (s *scanner) zipMember(parent, format string, e *zipEntry, ra, meta io.ReaderAt, size int64, depth int, pre *prewalk) {
	m := child(parent, e.name)
	if e.inLocal && e.inCD && e.local != e.name {
		s.add(Finding{Member: m, Format: "zip", Severity: SeverityInfo,
			Message: fmt.Sprintf("local header names the member %q but the central directory names it %q; scanned under both", e.local, e.name)})
	}
	if !e.inCD && e.inLocal {
		s.add(Finding{Member: m, Format: "zip", Severity: SeverityInfo,
			Message: "member is missing from the central directory; found by walking local headers"})
	}
	if strings.HasSuffix(e.name, "/") && e.csize == 0 {
		return
	}
	if e.flags&1 != 0 {
		s.add(Finding{Member: m, Format: "zip", Severity: SeverityUnscannable,
			Message: "member is encrypted and cannot be scanned"})
		return
	}
	if e.csize < 0 || e.dataOff+e.csize > size {
		s.add(Finding{Member: m, Format: "zip", Severity: SeverityInvalid,
			Message: "member data runs past the end of the archive"})
		return
	}
	if e.method == zip.Store && format == "pytorch-zip" && isTensorData(e.name) && s.tensorData(meta, e.dataOff, e.csize) {
		return
	}
	sec := io.NewSectionReader(ra, e.dataOff, e.csize)
	if e.method == zip.Store {
		s.pending = pre
		s.scanAt(m, path.Base(e.name), sec, e.csize, depth+1)
		return
	}
	r, err := memberReader(e.method, sec)
	if err != nil {
		s.add(Finding{Member: m, Format: "zip", Severity: SeverityUnscannable, Message: err.Error()})
		return
	}
	defer r.Close()
	lr := &limitedReader{r: r, in: &countingReader{n: e.csize}, lim: s.lim}
	before := len(s.rep.Findings)
	s.scanStream(m, path.Base(e.name), lr, -1, depth+1)
	if lr.err != nil && !s.reported(before, lr.err) {
		s.fail(m, "zip", lr.err)
	}
}

// tensorData reports whether the stored PyTorch storage member of size
// bytes at off in meta holds plain tensor bytes, which are skipped; anything
// recognisable is scanned.
func (s *scanner) tensorData(meta io.ReaderAt, off, size int64) bool {
	head := s.tensorHead[:min(size, int64(len(s.tensorHead)))]
	if _, err := meta.ReadAt(head, off); err != nil && err != io.EOF {
		return false
	}
	if sniff(head, size) != "" || probePickle(head, size, s.lim) != probeNo {
		return false
	}
	s.rep.addSummary(0, 0, 1)
	return true
}

// zipFormat names a zip by the members it holds.
func zipFormat(entries []*zipEntry) string {
	names := map[string]bool{}
	npy := len(entries) > 0
	for _, e := range entries {
		names[e.name] = true
		if path.Base(e.name) == "data.pkl" {
			return "pytorch-zip"
		}
		npy = npy && strings.HasSuffix(e.name, ".npy")
	}
	switch {
	case names["config.json"] && (names["metadata.json"] || names["model.weights.h5"]):
		return "keras"
	case npy:
		return "npz"
	}
	return "zip"
}
