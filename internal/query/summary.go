package query

import (
	"io"
	"strings"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

// StepSummary is what the summary of a finished run says about one step.
type StepSummary struct {
	Step string
	Task *core.TaskRecord
	// LogTail holds the last lines of a failed step's stderr, if any.
	LogTail []string
}

// Summary reads what the summary of a finished run shows: each step's task
// record, in step name order, and for a failed step the last tail lines of
// its stderr. A step whose record cannot be read is left out: a summary
// says what it can.
func Summary(st *store.Store, rec *core.RunRecord, tail int) []StepSummary {
	var out []StepSummary
	for _, step := range sortedKeys(rec.Tasks) {
		var t core.TaskRecord
		if st.GetJSON(rec.Tasks[step], &t) != nil {
			continue
		}
		s := StepSummary{Step: step, Task: &t}
		if t.Status == core.StatusFailed {
			s.LogTail = LastLines(st, t.Stderr, tail)
		}
		out = append(out, s)
	}
	return out
}

// LastLines returns up to n last lines of the stored log d, reading at
// most its last 16 KiB into memory; nil when there is no log or it cannot
// be read.
func LastLines(st *store.Store, d core.Digest, n int) []string {
	if d == "" {
		return nil
	}
	rc, err := st.Open(d)
	if err != nil {
		return nil
	}
	defer rc.Close()
	tb := &core.Tail{Max: 16 << 10}
	if _, err := io.Copy(tb, rc); err != nil {
		return nil
	}
	lines := strings.Split(strings.TrimRight(tb.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	return lines
}
