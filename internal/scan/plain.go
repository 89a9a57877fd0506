package scan

import (
	"fmt"
	"io"
	"strings"
)

// plain scans content that is neither a container nor a pickle: JSON, CSV,
// text or unknown bytes, read from r or, when the whole content is in
// memory, from data. A name that claims a safe format the content does not
// have makes the file invalid.
func (s *scanner) plain(member, name string, r io.Reader, data, head []byte) string {
	claim := claimed(name)
	text := isText(head)
	sep, csvLike := looksCSV(head)
	switch {
	case text && (claim == "json" || (claim == "" && looksJSON(head))):
		var err error
		if data != nil {
			err = checkJSONBytes(data)
		} else {
			err = checkJSON(r)
		}
		if err != nil {
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
		s.csv(member, r, data, sep)
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

// csv validates that every record has the column count of the first one
// (see countCSV).
func (s *scanner) csv(member string, r io.Reader, data []byte, sep rune) {
	if sep == 0 {
		sep = ','
	}
	var rows, cols int64
	var err error
	if data != nil {
		rows, cols, err = countCSVBytes(data, byte(sep), s.lim.MaxHeader)
	} else {
		rows, cols, err = countCSV(r, byte(sep), s.lim.MaxHeader)
	}
	if err != nil {
		s.fail(member, "csv", err)
		return
	}
	s.rep.addSummary(rows, cols, 0)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
