package scan

import (
	"fmt"
	"io"

	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
	"github.com/parquet-go/parquet-go"
)

// parquet validates that the footer and schema of a Parquet file read.
func (s *scanner) parquet(member string, ra io.ReaderAt, size int64) {
	rows, cols, err := checkParquet(ra, size)
	if err != nil {
		s.fail(member, "parquet", err)
		return
	}
	s.rep.addSummary(rows, cols, 0)
}

func checkParquet(ra io.ReaderAt, size int64) (rows, cols int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parquet footer: %v", p)
		}
	}()
	f, err := parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return 0, 0, fmt.Errorf("parquet footer: %w", err)
	}
	return f.NumRows(), int64(len(f.Schema().Columns())), nil
}

// avro reads every row of an Avro object container file.
func (s *scanner) avro(member string, r io.Reader) {
	dec, err := ocf.NewDecoder(r)
	if err != nil {
		s.fail(member, "avro", fmt.Errorf("avro header: %w", err))
		return
	}
	var cols int64
	if rec, ok := dec.Schema().(*avro.RecordSchema); ok {
		cols = int64(len(rec.Fields()))
	}
	var rows int64
	for dec.HasNext() {
		var row any
		if err := dec.Decode(&row); err != nil {
			s.fail(member, "avro", fmt.Errorf("avro row %d: %w", rows+1, err))
			return
		}
		rows++
	}
	if err := dec.Error(); err != nil {
		s.fail(member, "avro", fmt.Errorf("avro block after row %d: %w", rows, err))
		return
	}
	s.rep.addSummary(rows, cols, 0)
}
