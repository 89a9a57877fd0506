package scan

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"path"
	"strings"
	"unicode/utf8"
)

// headSize is how many leading bytes are read to recognise a format.
const headSize = 4096

// magic lists formats recognised by their first bytes, most specific first.
var magic = []struct {
	format string
	prefix string
}{
	{"zip", "PK\x03\x04"},
	{"zip", "PK\x05\x06"},
	{"zip", "PK\x07\x08PK\x03\x04"},
	{"gzip", "\x1f\x8b"},
	{"bz2", "BZh"},
	{"xz", "\xfd7zXZ\x00"},
	{"lz4", "\x04\x22\x4d\x18"},
	{"zstd", "\x28\xb5\x2f\xfd"},
	{"7z", "7z\xbc\xaf\x27\x1c"},
	{"rar", "Rar!\x1a\x07"},
	{"npy", npyMagic},
	{"parquet", "PAR1"},
	{"avro", "Obj\x01"},
	{"hdf5", "\x89HDF\r\n\x1a\n"},
}

// sniff names the format the leading bytes announce, or "" if none does.
func sniff(head []byte, size int64) string {
	for _, m := range magic {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m.format
		}
	}
	switch {
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return "tar"
	case isSafetensors(head, size):
		return "safetensors"
	case len(head) >= 2 && head[0] == 0x78 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 && zlibDecodes(head, size >= 0 && int64(len(head)) >= size):
		return "zlib"
	case len(head) >= 13 && head[0] == 0x5d && head[1] == 0 && head[2] == 0:
		return "lzma"
	}
	return ""
}

// isSafetensors reports whether head starts with a plausible safetensors
// header: a little-endian length followed by a JSON object.
func isSafetensors(head []byte, size int64) bool {
	if len(head) < 9 {
		return false
	}
	n := binary.LittleEndian.Uint64(head)
	if n < 2 || (size >= 0 && n > uint64(size)-8) {
		return false
	}
	return head[8] == '{'
}

// claimed names the safe format a file name announces, so a file that
// claims one but holds something else is reported invalid.
func claimed(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".safetensors":
		return "safetensors"
	case ".npy":
		return "npy"
	case ".npz":
		return "npz"
	case ".parquet":
		return "parquet"
	case ".avro":
		return "avro"
	case ".csv", ".tsv":
		return "csv"
	case ".json", ".jsonl", ".ndjson":
		return "json"
	case ".onnx":
		return "onnx"
	}
	return ""
}

// isText reports whether head looks like UTF-8 text without NUL bytes.
func isText(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for i := 0; i < 4 && len(head) > 0 && !utf8.Valid(head); i++ {
		head = head[:len(head)-1] // a rune cut by the end of the head
	}
	return utf8.Valid(head)
}

// looksJSON reports whether text starts like a JSON object or array.
func looksJSON(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// looksCSV reports whether the complete lines of head have the same number
// (at least one) of commas or tabs, over at least two lines.
func looksCSV(head []byte) (rune, bool) {
	// The complete lines are those a '\n' ends (the last line may be cut).
	if bytes.Count(head, []byte{'\n'}) < 2 || bytes.IndexByte(head, '"') >= 0 {
		return 0, false
	}
	for _, sep := range []byte{',', '\t'} {
		n, ok := -1, true
		rest := head
		for i := 0; i < 20 && ok; i++ {
			end := bytes.IndexByte(rest, '\n')
			if end < 0 {
				break
			}
			k := bytes.Count(rest[:end], []byte{sep})
			if n < 0 {
				n = k
			}
			ok = k > 0 && k == n
			rest = rest[end+1:]
		}
		if ok {
			return rune(sep), true
		}
	}
	return 0, false
}

// zlibDecodes reports whether head decodes as the start of a zlib stream.
// zlib's two-byte header passes by chance for one random file in about
// 8,000, so random data is not taken for a broken zlib stream (and
// refused) unless its bytes after the header decode too: random bytes
// fail a deflate block, the checksum or the preset dictionary soon. A
// stream longer than head is cut short, which counts as decoding unless
// head is the whole file.
func zlibDecodes(head []byte, whole bool) bool {
	r, err := zlib.NewReader(bytes.NewReader(head))
	if err != nil {
		return false
	}
	_, err = io.CopyN(io.Discard, r, 1<<20) // a bomb in the head stops here
	return err == nil || err == io.EOF || !whole && errors.Is(err, io.ErrUnexpectedEOF)
}
