package reproduce

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxCellDetails is how many differing cells a CSV diff shows.
const maxCellDetails = 5

// csvResult is what diffCSV found.
type csvResult struct {
	verdict Verdict
	details []string
}

// diffCSV streams two CSV (or, with comma '\t', TSV) files side by side and
// reports columns added or removed, the row counts when they differ and the
// first differing cells. Cells that are numbers within tol make the verdict
// WithinTolerance; any other difference makes it Differs. The first row is
// taken as the header.
func diffCSV(a, b io.Reader, comma rune, tol Tolerance) (csvResult, error) {
	ra, rb := newCSVReader(a, comma), newCSVReader(b, comma)
	res := csvResult{verdict: Reproduced}
	headA, errA := ra.Read()
	headB, errB := rb.Read()
	if err := errors.Join(noEOF(errA), noEOF(errB)); err != nil {
		return res, err
	}
	names := columnNames(headA, headB, &res)
	rowsA, rowsB, cells := 1, 1, 0
	for row := 2; ; row++ {
		recA, errA := ra.Read()
		recB, errB := rb.Read()
		if err := errors.Join(noEOF(errA), noEOF(errB)); err != nil {
			return res, err
		}
		if errA == nil {
			rowsA++
		}
		if errB == nil {
			rowsB++
		}
		if errA != nil || errB != nil {
			if errA == nil || errB == nil {
				res.verdict = Differs
				for {
					_, eA := ra.Read()
					_, eB := rb.Read()
					if eA == nil {
						rowsA++
					}
					if eB == nil {
						rowsB++
					}
					if eA != nil && eB != nil {
						break
					}
				}
			}
			break
		}
		for col := 0; col < len(recA) || col < len(recB); col++ {
			x, y := cell(recA, col), cell(recB, col)
			if x == y {
				continue
			}
			cells++
			v := cellVerdict(x, y, tol)
			res.verdict = worse(res.verdict, v)
			if cells <= maxCellDetails {
				name := strconv.Itoa(col + 1)
				if col < len(names) {
					name = names[col]
				}
				note := ""
				if v == WithinTolerance {
					note = " (within tolerance)"
				}
				res.details = append(res.details, fmt.Sprintf("row %d, column %s: %q -> %q%s", row, name, x, y, note))
			}
		}
	}
	if rowsA != rowsB {
		res.details = append(res.details, fmt.Sprintf("rows %d -> %d", rowsA, rowsB))
	}
	if cells > maxCellDetails {
		res.details = append(res.details, fmt.Sprintf("... and %d more differing cells", cells-maxCellDetails))
	}
	return res, nil
}

func newCSVReader(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return cr
}

// columnNames compares the headers and returns the names to show cells by.
func columnNames(a, b []string, res *csvResult) []string {
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, n := range a {
		inA[n] = true
	}
	for _, n := range b {
		inB[n] = true
	}
	for _, n := range a {
		if !inB[n] {
			res.details = append(res.details, "column removed: "+n)
			res.verdict = Differs
		}
	}
	for _, n := range b {
		if !inA[n] {
			res.details = append(res.details, "column added: "+n)
			res.verdict = Differs
		}
	}
	if strings.Join(a, "\x00") != strings.Join(b, "\x00") && res.verdict != Differs {
		res.details = append(res.details, "columns reordered")
		res.verdict = Differs
	}
	return append([]string(nil), a...)
}

func cell(rec []string, i int) string {
	if i < len(rec) {
		return rec[i]
	}
	return ""
}

// cellVerdict is WithinTolerance for two numbers within tol, else Differs.
func cellVerdict(x, y string, tol Tolerance) Verdict {
	a, errA := strconv.ParseFloat(strings.TrimSpace(x), 64)
	b, errB := strconv.ParseFloat(strings.TrimSpace(y), 64)
	if errA == nil && errB == nil && tol.Within(a, b) {
		return WithinTolerance
	}
	return Differs
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
