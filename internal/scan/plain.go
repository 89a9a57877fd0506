package scan

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// plain scans content that is neither a container nor a pickle: JSON, CSV,
// text or unknown bytes. A name that claims a safe format the content does
// not have makes the file invalid.
func (s *scanner) plain(member, name string, r io.Reader, head []byte) string {
	claim := claimed(name)
	text := isText(head)
	sep, csvLike := looksCSV(head)
	switch {
	case text && (claim == "json" || (claim == "" && looksJSON(head))):
		if err := checkJSON(r); err != nil {
			if claim == "json" {
				s.fail(member, "json", err)
				return "json"
			}
			return "text"
		}
		return "json"
	case text && (claim == "csv" || (claim == "" && csvLike)):
		if claim == "csv" && !csvLike && strings.HasSuffix(strings.ToLower(name), ".tsv") {
			sep = '\t'
		}
		s.csv(member, r, sep)
		return "csv"
	case claim != "":
		s.add(Finding{Member: member, Format: claim, Severity: SeverityInvalid,
			Message: fmt.Sprintf("%s is named like a %s file but its content is not one: rename it or regenerate it", name, claim)})
		return "unknown"
	case text:
		return "text"
	}
	return "unknown"
}

// maxJSONDepth bounds the nesting of JSON values.
const maxJSONDepth = 10_000

// checkJSON reads every JSON value in r (one document or JSON lines).
func checkJSON(r io.Reader) error {
	dec := json.NewDecoder(r)
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("invalid JSON near byte %d: %w", dec.InputOffset(), err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if depth++; depth > maxJSONDepth {
				return fmt.Errorf("JSON nested deeper than %d levels near byte %d: %w", maxJSONDepth, dec.InputOffset(), errLimit)
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// csv validates that every record has the column count of the first one.
func (s *scanner) csv(member string, r io.Reader, sep rune) {
	cr := csv.NewReader(&lineLimit{r: r, max: s.lim.MaxHeader})
	if sep != 0 {
		cr.Comma = sep
	}
	cr.ReuseRecord = true
	var rows, cols int64
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(err, csv.ErrFieldCount) {
				err = fmt.Errorf("line %d has %d field%s but the header has %d: quote fields that contain the separator or fix the row", pe.Line, len(rec), plural(len(rec)), cols)
			} else {
				err = fmt.Errorf("csv: %w", err)
			}
			s.fail(member, "csv", err)
			return
		}
		if cols == 0 {
			cols = int64(len(rec))
			continue
		}
		rows++
	}
	s.rep.addSummary(rows, cols, 0)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// lineLimit fails a read once a line grows beyond max bytes, so one endless
// line cannot make the CSV reader hold the whole file.
type lineLimit struct {
	r   io.Reader
	max int64
	run int64 // bytes since the last newline
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		l.run++
		if c == '\n' {
			l.run = 0
		}
	}
	if l.run > l.max {
		return n, fmt.Errorf("a line longer than %d bytes (Limits.MaxHeader): %w", l.max, errLimit)
	}
	return n, err
}
