package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// The hash cache file is cacheMagic, the removal token it is valid under
// (tokenLen bytes; dashes when it is valid under none), a newline, then
// fixed-size little-endian records: device, inode, size, mtime ns, ctime
// ns, then the 32-byte sum. A file of the earlier format (cacheMagicV1,
// no token) is read as valid under none.
const (
	cacheMagic   = "lockstep-hashes-v2\n"
	cacheMagicV1 = "lockstep-hashes-v1\n"
	cacheRecLen  = 5*8 + 32
)

// readCacheFile loads the cache file at path and the removal token it is
// valid under ("" for none). A missing or damaged file gives the entries
// that could be read: it is only a cache.
func readCacheFile(path string) (map[fileKey][32]byte, string) {
	f, err := os.Open(path)
	if err != nil {
		return map[fileKey][32]byte{}, ""
	}
	defer f.Close()
	m := map[fileKey][32]byte{}
	if fi, err := f.Stat(); err == nil {
		m = make(map[fileKey][32]byte, min(fi.Size()/cacheRecLen, maxCacheEntries))
	}
	tok, err := decodeCache(bufio.NewReader(f), m)
	if err != nil {
		tok = "" // a damaged file vouches for nothing
	}
	return m, tok
}

// decodeCache reads a cache file from r into m until EOF or the first
// damaged record, and returns the removal token of its header.
func decodeCache(r io.Reader, m map[fileKey][32]byte) (string, error) {
	magic := make([]byte, len(cacheMagic))
	if _, err := io.ReadFull(r, magic); err != nil {
		return "", errors.New("hash cache: bad header")
	}
	tok := ""
	switch string(magic) {
	case cacheMagic:
		var t [tokenLen + 1]byte
		if _, err := io.ReadFull(r, t[:]); err != nil || t[tokenLen] != '\n' {
			return "", errors.New("hash cache: bad header")
		}
		if validToken(string(t[:tokenLen])) {
			tok = string(t[:tokenLen])
		}
	case cacheMagicV1:
	default:
		return "", errors.New("hash cache: bad header")
	}
	var rec [cacheRecLen]byte
	for {
		if _, err := io.ReadFull(r, rec[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return tok, nil
			}
			return tok, fmt.Errorf("hash cache: truncated record: %w", err)
		}
		le := binary.LittleEndian
		k := fileKey{
			dev: le.Uint64(rec[0:]), ino: le.Uint64(rec[8:]),
			size: int64(le.Uint64(rec[16:])), mtime: int64(le.Uint64(rec[24:])), ctime: int64(le.Uint64(rec[32:])),
		}
		if k.size < 0 {
			return tok, fmt.Errorf("hash cache: negative size %d", k.size)
		}
		var sum [32]byte
		copy(sum[:], rec[40:])
		m[k] = sum
	}
}

// encodeCache writes m in the cache file format, valid under the removal
// token tok ("" for none).
func encodeCache(w io.Writer, tok string, m map[fileKey][32]byte) error {
	if !validToken(tok) {
		tok = untrustedTag
	}
	if _, err := io.WriteString(w, cacheMagic+tok+"\n"); err != nil {
		return err
	}
	var rec [cacheRecLen]byte
	le := binary.LittleEndian
	for k, sum := range m {
		le.PutUint64(rec[0:], k.dev)
		le.PutUint64(rec[8:], k.ino)
		le.PutUint64(rec[16:], uint64(k.size))
		le.PutUint64(rec[24:], uint64(k.mtime))
		le.PutUint64(rec[32:], uint64(k.ctime))
		copy(rec[40:], sum[:])
		if _, err := w.Write(rec[:]); err != nil {
			return err
		}
	}
	return nil
}
