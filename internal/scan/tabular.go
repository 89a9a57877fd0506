package scan

import (
	"fmt"
	"io"

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
	if err := checkParquetFooter(ra, size, 64<<20); err != nil {
		return 0, 0, err
	}
	f, err := parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return 0, 0, fmt.Errorf("parquet footer: %w", err)
	}
	return f.NumRows(), int64(len(f.Schema().Columns())), nil
}
