package backend

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"lockstep.dev/lockstep/internal/core"
)

// ReportPrefix starts the executor's report: the last line of its stdout,
// "lockstep-task-record: sha256:HEX".
const ReportPrefix = "lockstep-task-record: "

// ErrNoReport means the executor ended without reporting a task record.
var ErrNoReport = errors.New("the executor reported no task record")

// Reporter is the executor's stdout: it passes the step's output through
// and, at the end, writes the report on a line of its own.
type Reporter struct {
	w        io.Writer
	midLine  bool // the last byte written was not a newline
	reported bool
}

// NewReporter returns a Reporter writing to w (the executor's stdout).
func NewReporter(w io.Writer) *Reporter { return &Reporter{w: w} }

// Write passes the step's output through.
func (r *Reporter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		r.midLine = p[len(p)-1] != '\n'
	}
	return r.w.Write(p)
}

// Report writes the report line, after a newline if the step's output
// did not end with one. It is the last thing written; Write must not be
// called after it.
func (r *Reporter) Report(record core.Digest) error {
	if r.reported {
		return errors.New("task record reported twice")
	}
	r.reported = true
	line := ReportPrefix + record.String() + "\n"
	if r.midLine {
		line = "\n" + line
	}
	_, err := io.WriteString(r.w, line)
	return err
}

// ReportReader reads an executor's stdout on the backend's side: it
// streams the step's output to the log writer as it comes, holding back
// only a line that may be the report until it knows whether it is the last
// one. A line that looks like a report but is followed by more output is
// the step's own and is passed on.
type ReportReader struct {
	log     io.Writer
	hold    []byte // a line start that matches the report so far
	midLine bool
	out     []byte
}

// NewReportReader returns a ReportReader streaming to log.
func NewReportReader(log io.Writer) *ReportReader { return &ReportReader{log: log} }

// Write takes the next bytes of the executor's stdout.
func (r *ReportReader) Write(p []byte) (int, error) {
	r.out = r.out[:0]
	for _, b := range p {
		r.take(b)
	}
	if len(r.out) > 0 {
		if _, err := r.log.Write(r.out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (r *ReportReader) take(b byte) {
	if n := len(r.hold); n > 0 && r.hold[n-1] == '\n' {
		r.release() // a complete candidate line with more after it
	}
	if n := len(r.hold); n > 0 {
		if n < len(ReportPrefix) && b != ReportPrefix[n] {
			r.release()
			r.emit(b)
			return
		}
		r.hold = append(r.hold, b)
		return
	}
	if !r.midLine && b == ReportPrefix[0] {
		r.hold = append(r.hold, b)
		return
	}
	r.emit(b)
}

func (r *ReportReader) emit(b byte) {
	r.out = append(r.out, b)
	r.midLine = b != '\n'
}

func (r *ReportReader) release() {
	r.out = append(r.out, r.hold...)
	r.midLine = r.hold[len(r.hold)-1] != '\n'
	r.hold = r.hold[:0]
}

// Record returns the reported record's digest once the executor's stdout
// has ended. Without a report it passes any held-back output on to the log
// and returns an error wrapping ErrNoReport.
func (r *ReportReader) Record() (core.Digest, error) {
	line := string(bytes.TrimSuffix(r.hold, []byte("\n")))
	if rest, ok := strings.CutPrefix(line, ReportPrefix); ok {
		r.hold = r.hold[:0]
		d, err := core.ParseDigest(rest)
		if err != nil {
			return "", fmt.Errorf("%w: bad report %q: %v", ErrNoReport, line, err)
		}
		return d, nil
	}
	if len(r.hold) > 0 {
		held := append([]byte(nil), r.hold...)
		r.hold = r.hold[:0]
		if _, err := r.log.Write(held); err != nil {
			return "", err
		}
	}
	return "", ErrNoReport
}
