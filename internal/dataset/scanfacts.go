package dataset

import (
	"fmt"
	"sort"
	"strings"

	"lockstep.dev/lockstep/internal/scan"
)

// FileScan is what the scanner found in one file, as the BOM records it:
// the format, row and column counts of tabular data, and for files let in
// with a warning the verdict and why.
type FileScan struct {
	Format  string `json:"format,omitempty"`
	Verdict string `json:"verdict,omitempty"`
	Note    string `json:"note,omitempty"`
	Rows    int64  `json:"rows,omitempty"`
	Columns int64  `json:"columns,omitempty"`
}

// Flagged reports whether the file was let in with a warning: a pickle
// its format policy allowed, or a file failing its format's validation.
func (f FileScan) Flagged() bool {
	return f.Verdict == string(scan.Allowed) || f.Verdict == string(scan.Invalid)
}

// judge turns scan reports (paths relative to the dataset) into the facts
// the BOM records. Unsafe and unscannable files refuse the whole dataset,
// naming up to five of them; a file failing format validation (a ragged
// CSV row, say) is data, not danger, and is let in with a warning.
func judge(reports []*scan.Report) (map[string]FileScan, error) {
	facts := make(map[string]FileScan, len(reports))
	var bad []string
	pickles := false
	for _, r := range reports {
		f := FileScan{Format: r.Format}
		if r.Summary != nil {
			f.Rows, f.Columns = r.Summary.Rows, r.Summary.Columns
		}
		note := ""
		if len(r.Findings) > 0 {
			note = r.Findings[0].Message
		}
		switch r.Verdict {
		case scan.Unsafe, scan.Refused, scan.Unscannable:
			bad = append(bad, fmt.Sprintf("%s (%s, %s: %s)", r.Path, r.Format, r.Verdict, note))
			pickles = pickles || r.Verdict == scan.Refused
		case scan.Allowed, scan.Invalid:
			f.Verdict, f.Note = string(r.Verdict), note
		}
		facts[r.Path] = f
	}
	if len(bad) == 0 {
		return facts, nil
	}
	sort.Strings(bad)
	more := ""
	if len(bad) > 5 {
		more = fmt.Sprintf(" and %d more", len(bad)-5)
		bad = bad[:5]
	}
	hint := "inspect them with `lockstep scan` and convert them to a safe format"
	if pickles {
		hint += "; --pickle allow-safe admits pickles whose imports are all on the safe list, --pickle allow any without a dangerous import"
	}
	return nil, fmt.Errorf("%w: %s%s; %s", ErrUnsafeContent, strings.Join(bad, "; "), more, hint)
}

// flagged returns the facts of files let in with a warning.
func flagged(facts map[string]FileScan) map[string]FileScan {
	out := map[string]FileScan{}
	for p, f := range facts {
		if f.Flagged() {
			out[p] = f
		}
	}
	return out
}
