package scan

import (
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// memberReader decompresses the raw data of a zip member. It never checks
// the CRC: a wrong checksum must not hide a member's content.
func memberReader(method uint16, raw io.Reader) (io.ReadCloser, error) {
	switch method {
	case 0:
		return io.NopCloser(raw), nil
	case 8:
		return flate.NewReader(raw), nil
	case 12:
		return io.NopCloser(bzip2.NewReader(raw)), nil
	case 14:
		return zipLZMA(raw)
	case 93:
		z, err := zstd.NewReader(raw, zstdOptions...)
		if err != nil {
			return nil, fmt.Errorf("zstd member: %w", err)
		}
		return z.IOReadCloser(), nil
	case 95:
		x, err := xzConfig.NewReader(raw)
		if err != nil {
			return nil, fmt.Errorf("xz member: %w", err)
		}
		return io.NopCloser(x), nil
	}
	return nil, fmt.Errorf("compression method %d is not supported; repack the archive with deflate or store", method)
}

// zipLZMA reads a zip LZMA member: a 4-byte version and properties-length
// header, the properties, then a raw LZMA stream of unknown length.
func zipLZMA(raw io.Reader) (io.ReadCloser, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(raw, hdr[:]); err != nil {
		return nil, fmt.Errorf("lzma member header: %w", noEOF(err))
	}
	n := binary.LittleEndian.Uint16(hdr[2:])
	if n != 5 {
		return nil, fmt.Errorf("lzma member: %d property bytes, want 5", n)
	}
	var alone [13]byte
	if _, err := io.ReadFull(raw, alone[:5]); err != nil {
		return nil, fmt.Errorf("lzma member properties: %w", noEOF(err))
	}
	for i := 5; i < 13; i++ {
		alone[i] = 0xff
	}
	r, err := lzmaConfig.NewReader(io.MultiReader(bytes.NewReader(alone[:]), raw))
	if err != nil {
		return nil, fmt.Errorf("lzma member: %w", err)
	}
	return io.NopCloser(r), nil
}

// Decoder settings that cap the dictionary a hostile header may request:
// 64 MiB covers every xz preset, 256 MiB every lzma setting in use.
var (
	xzConfig   = xz.ReaderConfig{DictCap: 64 << 20}
	lzmaConfig = lzma.ReaderConfig{DictCap: 256 << 20}
	// zstdOptions cap the window a frame header may request at 256 MiB.
	zstdOptions = []zstd.DOption{zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(256 << 20)}
)
