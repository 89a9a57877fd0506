package scan

import (
	"errors"
	"fmt"
	"io"
)

// csvState is where countCSV is within a record.
type csvState uint8

const (
	csvRecordStart csvState = iota // at the start of a line, outside quotes
	csvFieldStart                  // after a separator
	csvUnquoted                    // inside a field without quotes
	csvQuoted                      // inside a quoted field
	csvQuoteSeen                   // just after a quote inside a quoted field
)

// errCSV marks the content errors countCSV reports (as opposed to read
// errors and limits).
var errCSV = errors.New("csv")

// csvFieldCount is a record whose field count differs from the header's.
type csvFieldCount struct {
	line, fields, header int64
}

func (e *csvFieldCount) Error() string {
	return fmt.Sprintf("line %d has %d field%s but the header has %d: quote fields that contain the separator or fix the row",
		e.line, e.fields, plural(int(e.fields)), e.header)
}

func (e *csvFieldCount) Unwrap() error { return errCSV }

// countCSV reads comma- (or sep-) separated values as encoding/csv reads
// them by default (RFC 4180: quoted fields may hold separators, doubled
// quotes and line breaks; "\r\n" ends a line like "\n"; empty lines are
// skipped; a quote inside an unquoted field, or text after a closing
// quote, is an error) and returns the number of records after the header
// and the header's number of fields. Every record must have as many
// fields as the header; no line may be longer than maxLine bytes.
//
// It only counts, one byte at a time without copying fields out, which
// makes it several times faster than encoding/csv on the large tables a
// dataset holds. sep must be an ASCII byte other than a quote or a line
// break.
func countCSV(r io.Reader, sep byte, maxLine int64) (rows, cols int64, err error) {
	c := newCSVCounter(sep, maxLine)
	bp := getBuf(csvChunk)
	defer putBuf(bp)
	buf := *bp
	for {
		n, rerr := r.Read(buf)
		if err := c.feed(buf[:n]); err != nil {
			return c.rows, c.cols, err
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return c.rows, c.cols, rerr
		}
	}
	return c.finish()
}

// csvChunk is how many bytes countCSV reads at a time.
const csvChunk = 64 << 10

// countCSVBytes is countCSV of the bytes of data, taken in the chunks
// countCSV would read them in (the length of a line is checked at the end
// of every chunk, so the chunks decide which error comes first).
func countCSVBytes(data []byte, sep byte, maxLine int64) (rows, cols int64, err error) {
	c := newCSVCounter(sep, maxLine)
	for len(data) > 0 {
		n := min(len(data), csvChunk)
		if err := c.feed(data[:n]); err != nil {
			return c.rows, c.cols, err
		}
		data = data[n:]
	}
	return c.finish()
}

func newCSVCounter(sep byte, maxLine int64) *csvCounter {
	c := &csvCounter{sep: sep, maxLine: maxLine, line: 1}
	c.special[sep], c.special['"'], c.special['\n'], c.special['\r'] = true, true, true, true
	return c
}

// finish ends the input and returns the counts.
func (c *csvCounter) finish() (rows, cols int64, err error) {
	// A '\r' just before the end is dropped, as encoding/csv does.
	switch c.st {
	case csvFieldStart, csvUnquoted, csvQuoteSeen:
		err = c.endRecord()
	case csvQuoted:
		err = fmt.Errorf("line %d: a quoted field is not closed before the end of the file: %w; add the closing quote", c.recLine, errCSV)
	}
	return c.rows, c.cols, err
}

// csvCounter is countCSV's state between chunks.
type csvCounter struct {
	sep        byte
	special    [256]bool // bytes that may end a field's text
	maxLine    int64
	st         csvState
	line       int64 // the current line, from 1
	recLine    int64 // where the current record started
	fields     int64 // fields of the current record so far
	rows, cols int64
	run        int64 // bytes of the current line so far
	pendingCR  bool  // the last byte was a '\r' outside quotes
}

// feed takes the next chunk of the input. Whole records are counted by
// fast where it can vouch for them; the byte-wise state machine (slow)
// reads the rest, a record at a time.
func (c *csvCounter) feed(chunk []byte) error {
	// Lines the fast count passes are no longer than the chunk.
	fast, misses := int64(len(chunk)) <= c.maxLine, 0
	for i := 0; i < len(chunk); {
		if fast && c.st == csvRecordStart && !c.pendingCR {
			j := c.fast(chunk, i)
			if j == i {
				// Give up on records the fast count keeps declining.
				misses++
				fast = misses < 8
			}
			if i = j; i == len(chunk) {
				break
			}
		}
		var err error
		if i, err = c.slow(chunk, i); err != nil {
			return err
		}
	}
	if c.run > c.maxLine {
		return lineTooLong(c.maxLine)
	}
	return nil
}

// slow reads chunk from i one state at a time up to the end of the
// current record (the next record's start) or of the chunk, and returns
// where it stopped.
func (c *csvCounter) slow(chunk []byte, i int) (int, error) {
	for i < len(chunk) {
		switch c.st {
		case csvUnquoted:
			if !c.pendingCR { // the common case: the text of a field
				j := i
				for j < len(chunk) && !c.special[chunk[j]] {
					j++
				}
				c.run += int64(j - i)
				if i = j; i == len(chunk) {
					continue
				}
			}
		case csvQuoted: // only a quote ends it; line breaks are its text
			j := i
			for ; j < len(chunk) && chunk[j] != '"'; j++ {
				if chunk[j] == '\n' {
					if err := c.lineBreak(int64(j - i)); err != nil {
						return i, err
					}
					i = j + 1
				}
			}
			c.run += int64(j - i)
			if i = j; i == len(chunk) {
				continue
			}
		}
		b := chunk[i]
		i++
		if c.pendingCR {
			c.pendingCR = false
			if b != '\n' { // a lone '\r' is text
				c.run++
				if err := c.step('\r', c.line); err != nil {
					return i, err
				}
			}
		}
		line := c.line
		switch b {
		case '\r':
			if c.st != csvQuoted {
				c.pendingCR = true // with a '\n' after it, a line break
				continue
			}
			c.run++
		case '\n':
			if err := c.lineBreak(0); err != nil {
				return i, err
			}
		default:
			c.run++
		}
		if err := c.step(b, line); err != nil {
			return i, err
		}
		if b == '\n' && c.st == csvRecordStart {
			return i, nil
		}
	}
	return i, nil
}

// lineBreak ends the current line, which has n more bytes before the
// break, checking its length.
func (c *csvCounter) lineBreak(n int64) error {
	if c.run+n > c.maxLine {
		return lineTooLong(c.maxLine)
	}
	c.line++
	c.run = 0
	return nil
}

// step moves the state on by one byte that is special in it (a line
// break already normalised to '\n'), found on line.
func (c *csvCounter) step(b byte, line int64) error {
	switch c.st {
	case csvRecordStart:
		if b == '\n' {
			return nil // an empty line is no record
		}
		c.recLine, c.fields, c.st = line, 0, csvFieldStart
		fallthrough
	case csvFieldStart:
		if b == '"' {
			c.st = csvQuoted
			return nil
		}
		c.st = csvUnquoted
		fallthrough
	case csvUnquoted:
		switch b {
		case c.sep, '\n':
			return c.endField(b)
		case '"':
			return fmt.Errorf("line %d: a quote inside a field that does not start with one: %w; quote the whole field and double the quotes inside it", line, errCSV)
		}
	case csvQuoted:
		if b == '"' {
			c.st = csvQuoteSeen
		}
	case csvQuoteSeen:
		switch b {
		case '"':
			c.st = csvQuoted // a doubled quote
		case c.sep, '\n':
			return c.endField(b)
		default:
			return fmt.Errorf("line %d: text after the closing quote of a field: %w; double the quotes inside a quoted field", line, errCSV)
		}
	}
	return nil
}

// endField ends a field at b, a separator or a line break (which ends the
// record too).
func (c *csvCounter) endField(b byte) error {
	if b == '\n' {
		c.st = csvRecordStart
		return c.endRecord()
	}
	c.fields++
	c.st = csvFieldStart
	return nil
}

// endRecord ends the current record's last field and checks its count.
func (c *csvCounter) endRecord() error {
	c.fields++
	switch {
	case c.cols == 0:
		c.cols = c.fields
	case c.fields != c.cols:
		return &csvFieldCount{line: c.recLine, fields: c.fields, header: c.cols}
	default:
		c.rows++
	}
	return nil
}

// lineTooLong is the error for a line beyond Limits.MaxHeader.
func lineTooLong(max int64) error {
	return fmt.Errorf("a line longer than %d bytes (Limits.MaxHeader): %w", max, errLimit)
}
