package scan

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
)

// avro checks the block layout of an Avro object container file, then
// reads every row with the hamba/avro decoder.
func (s *scanner) avro(member string, ra io.ReaderAt, size int64) {
	if err := checkAvroBlocks(bufio.NewReader(io.NewSectionReader(ra, 0, size)), size, s.lim.MaxHeader); err != nil {
		s.fail(member, "avro", err)
		return
	}
	rows, cols, err := readAvro(io.NewSectionReader(ra, 0, size))
	if err != nil {
		s.fail(member, "avro", err)
		return
	}
	s.rep.addSummary(rows, cols, 0)
}

// readAvro decodes every row and returns the row and column counts.
func readAvro(r io.Reader) (rows, cols int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("avro: %v", p)
		}
	}()
	dec, err := ocf.NewDecoder(bufio.NewReader(r))
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
// that no declared length exceeds the file or the header limit before the
// decoder allocates buffers of that length.
func checkAvroBlocks(r *bufio.Reader, size, maxBlock int64) error {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != "Obj\x01" {
		return errors.New("avro: missing Obj\\x01 magic")
	}
	limit := min(size, maxBlock)
	skip := func(what string) error {
		n, err := binary.ReadVarint(r)
		if err != nil || n < 0 || n > limit {
			return fmt.Errorf("avro: %s length %d is negative or larger than the file", what, n)
		}
		_, err = r.Discard(int(n))
		return noEOF(err)
	}
	for {
		count, err := binary.ReadVarint(r)
		if err != nil {
			return fmt.Errorf("avro metadata: %w", noEOF(err))
		}
		if count == 0 {
			break
		}
		if count < 0 {
			count = -count
			if _, err := binary.ReadVarint(r); err != nil {
				return fmt.Errorf("avro metadata: %w", noEOF(err))
			}
		}
		if count > limit {
			return fmt.Errorf("avro metadata: %d entries", count)
		}
		for i := int64(0); i < 2*count; i++ {
			if err := skip("metadata"); err != nil {
				return err
			}
		}
	}
	if _, err := r.Discard(16); err != nil {
		return fmt.Errorf("avro sync marker: %w", noEOF(err))
	}
	for {
		if _, err := r.Peek(1); err == io.EOF {
			return nil
		}
		if count, err := binary.ReadVarint(r); err != nil || count < 0 {
			return fmt.Errorf("avro block: bad row count")
		}
		if err := skip("block"); err != nil {
			return err
		}
		if _, err := r.Discard(16); err != nil {
			return fmt.Errorf("avro block sync marker: %w", noEOF(err))
		}
	}
}
