package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxLDCache bounds the ld.so.cache read; real ones are well under a
// megabyte even with thousands of libraries.
const maxLDCache = 32 << 20

// maxLDString bounds one name or path in the cache.
const maxLDString = 4096

// glibc's cache formats (elf/cache.c, sysdeps/generic/dl-cache.h): the
// old "ld.so-1.7.0" table, still written ahead of the new one in the
// compat format, and the new "glibc-ld.so.cache1.1" table, which holds
// 24-byte entries whose string offsets count from the new header.
const (
	ldOldMagic     = "ld.so-1.7.0"
	ldOldHeader    = 16 // magic, padding, nlibs
	ldOldEntry     = 12 // flags, key, value
	ldNewMagic     = "glibc-ld.so.cache1.1"
	ldNewHeader    = 48
	ldNewEntry     = 24 // flags, key, value, osversion, hwcap
	ldFlagsOffset  = 28 // the byte saying the cache's byte order
	ldFlagsBigEnd  = 3
	ldNlibsOffset  = 20
	ldEntryKeyOff  = 4
	ldEntryPathOff = 8
)

// ldEntry is one library of the cache: its soname and the path the loader
// opens for it.
type ldEntry struct {
	Name, Path string
}

// readLDCache reads the loader's cache at path.
func readLDCache(path string) ([]ldEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLDCache+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxLDCache {
		return nil, fmt.Errorf("read %s: larger than %d MiB, not a loader cache", path, maxLDCache>>20)
	}
	entries, err := parseLDCache(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return entries, nil
}

// errLDCache says the bytes are not a cache this parser knows.
var errLDCache = errors.New("not a glibc ld.so.cache (new format)")

// parseLDCache returns the entries of the new-format table in b, whether
// it stands alone (glibc 2.32's default) or follows the old table.
func parseLDCache(b []byte) ([]ldEntry, error) {
	h := b
	if bytes.HasPrefix(b, []byte(ldOldMagic)) {
		h = nil
		// The old table's count is in the host's byte order: try both.
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			if len(b) < ldOldHeader {
				break
			}
			end := uint64(ldOldHeader) + uint64(order.Uint32(b[12:16]))*ldOldEntry
			end = (end + 7) &^ 7 // the new table is 8-byte aligned
			if end < uint64(len(b)) && bytes.HasPrefix(b[end:], []byte(ldNewMagic)) {
				h = b[end:]
				break
			}
		}
	}
	if !bytes.HasPrefix(h, []byte(ldNewMagic)) {
		return nil, errLDCache
	}
	if len(h) < ldNewHeader {
		return nil, fmt.Errorf("truncated header: %w", errLDCache)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if h[ldFlagsOffset] == ldFlagsBigEnd {
		order = binary.BigEndian
	}
	n := uint64(order.Uint32(h[ldNlibsOffset:]))
	if n > uint64(len(h)-ldNewHeader)/ldNewEntry {
		return nil, fmt.Errorf("%d entries do not fit in %d bytes: %w", n, len(h), errLDCache)
	}
	out := make([]ldEntry, 0, n)
	for i := uint64(0); i < n; i++ {
		e := h[ldNewHeader+i*ldNewEntry:]
		name, ok1 := cString(h, order.Uint32(e[ldEntryKeyOff:]))
		path, ok2 := cString(h, order.Uint32(e[ldEntryPathOff:]))
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("entry %d: string outside the file: %w", i, errLDCache)
		}
		out = append(out, ldEntry{Name: name, Path: path})
	}
	return out, nil
}

// cString returns the NUL-terminated string at off in b; ok is false when
// it starts outside b, runs off its end or is longer than maxLDString.
func cString(b []byte, off uint32) (string, bool) {
	if uint64(off) >= uint64(len(b)) {
		return "", false
	}
	rest := b[off:]
	if len(rest) > maxLDString+1 {
		rest = rest[:maxLDString+1]
	}
	end := bytes.IndexByte(rest, 0)
	if end < 0 {
		return "", false
	}
	return string(rest[:end]), true
}
