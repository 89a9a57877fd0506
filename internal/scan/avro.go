package scan

import (
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
	"github.com/klauspost/compress/zstd"
)

// avro checks the block layout of an Avro object container file, then
// reads every row with the hamba/avro decoder.
func (s *scanner) avro(member string, ra io.ReaderAt, size int64) {
	if err := checkAvroBlocks(bufio.NewReader(io.NewSectionReader(ra, 0, size)), size, s.lim.MaxHeader); err != nil {
		s.fail(member, "avro", err)
		return
	}
	rows, cols, err := readAvro(io.NewSectionReader(ra, 0, size), s.lim.MaxHeader)
	if err != nil {
		s.fail(member, "avro", err)
		return
	}
	s.rep.addSummary(rows, cols, 0)
}

// readAvro decodes every row and returns the row and column counts.
func readAvro(r io.Reader, maxBlock int64) (rows, cols int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("avro: %v", p)
		}
	}()
	cfg := avro.Config{MaxByteSliceSize: int(min(maxBlock, 1<<30)), MaxSliceAllocSize: 1 << 24}.Freeze()
	dec, err := ocf.NewDecoder(bufio.NewReader(r), ocf.WithDecoderConfig(cfg))
	if err != nil {
		return 0, 0, fmt.Errorf("avro header: %w", err)
	}
	if rec, ok := dec.Schema().(*avro.RecordSchema); ok {
		cols = int64(len(rec.Fields()))
	}
	for dec.HasNext() {
		var row any
		if err := dec.Decode(&row); err != nil {
			return 0, 0, fmt.Errorf("avro row %d: %w", rows+1, err)
		}
		rows++
	}
	if err := dec.Error(); err != nil {
		return 0, 0, fmt.Errorf("avro block after row %d: %w", rows, err)
	}
	return rows, cols, nil
}

// checkAvroBlocks walks the header and block framing of a container file so
// that no declared length exceeds the file, and no block expands beyond
// maxBlock, before the decoder allocates buffers of that length.
func checkAvroBlocks(r *bufio.Reader, size, maxBlock int64) error {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != "Obj\x01" {
		return errors.New("avro: missing Obj\\x01 magic")
	}
	limit := min(size, maxBlock)
	codec, err := avroCodec(r, limit)
	if err != nil {
		return err
	}
	if _, err := r.Discard(16); err != nil {
		return fmt.Errorf("avro sync marker: %w", noEOF(err))
	}
	for block := 1; ; block++ {
		if _, err := r.Peek(1); err == io.EOF {
			return nil
		}
		if count, err := binary.ReadVarint(r); err != nil || count < 0 {
			return fmt.Errorf("avro block %d: bad row count", block)
		}
		n, err := binary.ReadVarint(r)
		if err != nil || n < 0 || n > limit {
			return fmt.Errorf("avro block %d: length %d is negative or larger than the file", block, n)
		}
		if err := checkAvroBlock(codec, io.LimitReader(r, n), maxBlock); err != nil {
			return fmt.Errorf("avro block %d: %w", block, err)
		}
		if _, err := r.Discard(16); err != nil {
			return fmt.Errorf("avro block %d sync marker: %w", block, noEOF(err))
		}
	}
}

// avroCodec reads the header metadata and returns its avro.codec value.
func avroCodec(r *bufio.Reader, limit int64) (string, error) {
	codec := "null"
	read := func() ([]byte, error) {
		n, err := binary.ReadVarint(r)
		if err != nil || n < 0 || n > limit {
			return nil, fmt.Errorf("avro metadata: length %d is negative or larger than the file", n)
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return b, noEOF(err)
	}
	for {
		count, err := binary.ReadVarint(r)
		if err != nil {
			return "", fmt.Errorf("avro metadata: %w", noEOF(err))
		}
		if count == 0 {
			return codec, nil
		}
		if count < 0 {
			count = -count
			if _, err := binary.ReadVarint(r); err != nil {
				return "", fmt.Errorf("avro metadata: %w", noEOF(err))
			}
		}
		if count > limit {
			return "", fmt.Errorf("avro metadata: %d entries", count)
		}
		for i := int64(0); i < count; i++ {
			k, err := read()
			if err != nil {
				return "", err
			}
			v, err := read()
			if err != nil {
				return "", err
			}
			if string(k) == "avro.codec" {
				codec = string(v)
			}
		}
	}
}

// checkAvroBlock consumes one block and checks what it expands to.
func checkAvroBlock(codec string, block io.Reader, maxBlock int64) error {
	var out io.Reader
	switch codec {
	case "null", "":
	case "deflate":
		fr := flate.NewReader(block)
		defer fr.Close()
		out = fr
	case "zstandard":
		z, err := zstd.NewReader(block, zstdOptions...)
		if err != nil {
			return err
		}
		defer z.Close()
		out = z
	case "snappy":
		var head [binary.MaxVarintLen64]byte
		n, _ := io.ReadFull(block, head[:])
		if v, k := binary.Uvarint(head[:n]); k <= 0 || v > uint64(maxBlock) {
			return fmt.Errorf("snappy block expands beyond %d bytes (Limits.MaxHeader): %w", maxBlock, errLimit)
		}
	default:
		return fmt.Errorf("unknown codec %q", codec)
	}
	if out != nil {
		n, err := io.Copy(io.Discard, io.LimitReader(out, maxBlock+1))
		if err != nil {
			return err
		}
		if n > maxBlock {
			return fmt.Errorf("expands beyond %d bytes (Limits.MaxHeader): %w", maxBlock, errLimit)
		}
	}
	_, err := io.Copy(io.Discard, block)
	return err
}
