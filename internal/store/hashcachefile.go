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
	var m map[fileKey][32]byte
	tok, err := readCacheFileFunc(path, func(_ string, n int) { m = make(map[fileKey][32]byte, n) },
		func(k fileKey, sum [32]byte) { m[k] = sum })
	if m == nil {
		m = map[fileKey][32]byte{}
	}
	if err != nil {
		tok = "" // a damaged file vouches for nothing
	}
	return m, tok
}

// readCacheFileFunc reads the cache file at path, calling header once
// with its removal token ("" for none) and the number of records the
// file's size allows, then put for each record. It returns the token and
// the first error (a missing file, a bad header, a damaged record); the
// records put before a damaged one were read intact.
func readCacheFileFunc(path string, header func(tok string, n int), put func(fileKey, [32]byte)) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	n := 0
	if fi, err := f.Stat(); err == nil {
		n = int(min(fi.Size()/cacheRecLen, maxCacheEntries))
	}
	return decodeCacheFunc(bufio.NewReaderSize(f, 64<<10), func(tok string) { header(tok, n) }, put)
}

// decodeCache reads a cache file from r into m until EOF or the first
// damaged record, and returns the removal token of its header.
func decodeCache(r io.Reader, m map[fileKey][32]byte) (string, error) {
	return decodeCacheFunc(r, func(string) {}, func(k fileKey, sum [32]byte) { m[k] = sum })
}

// decodeCacheFunc reads a cache file from r, calling header with the
// removal token of its header and then put for each record, until EOF or
// the first damaged record; it returns the token.
func decodeCacheFunc(r io.Reader, header func(tok string), put func(fileKey, [32]byte)) (string, error) {
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
	header(tok)
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
		put(k, [32]byte(rec[40:]))
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
