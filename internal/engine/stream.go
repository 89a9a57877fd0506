package engine

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"sync"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// EventSchemaVersion is the version of the JSON event stream written by
// EventStream. It changes only when a field changes meaning or goes away;
// new fields and new event types may appear within a version.
const EventSchemaVersion = 1

// Types of JSON events, the "type" field of each line of the stream.
const (
	EventRunStarted   = "run_started"
	EventStepStarted  = "step_started"
	EventStepLog      = "step_log"
	EventCacheHit     = "cache_hit"
	EventStepFinished = "step_finished"
	EventNotice       = "notice"
	EventRunSigned    = "run_signed"
	EventRunFinished  = "run_finished"
	EventError        = "error"
)

// JSONEvent is one line of the event stream of a run, as `lockstep run
// --json` prints it and as the Python package and the web UI read it. Empty
// fields are left out.
type JSONEvent struct {
	Version int       `json:"version"`
	Type    string    `json:"type"`
	Time    time.Time `json:"time"`
	Run     string    `json:"run,omitempty"`
	Flow    string    `json:"flow,omitempty"`
	Step    string    `json:"step,omitempty"`
	// Stream is "stdout" or "stderr" for step_log.
	Stream string `json:"stream,omitempty"`
	// Line is one line of a step's output, without its newline (step_log).
	Line string `json:"line,omitempty"`
	// Status is the step's (step_finished) or the run's (run_finished).
	Status string `json:"status,omitempty"`
	// Task is the digest of the task record (cache_hit, step_finished).
	Task       core.Digest `json:"task,omitempty"`
	DurationMS int64       `json:"duration_ms,omitempty"`
	// Message is why a step failed or was skipped, a notice, or an error.
	Message string `json:"message,omitempty"`
	// Key is the signing key's fingerprint (run_signed).
	Key string `json:"key,omitempty"`
	// Record is the run record (run_finished).
	Record *core.RunRecord `json:"record,omitempty"`
}

// EventStream writes a run's progress as JSON lines, one event per line,
// like `go test -json`. Its methods may be called from several goroutines
// at once; lines never interleave.
type EventStream struct {
	mu   sync.Mutex
	w    io.Writer
	now  func() time.Time
	logs map[string][]*logLines
	run  string
}

// NewEventStream returns a stream writing to w.
func NewEventStream(w io.Writer) *EventStream {
	return &EventStream{w: w, now: time.Now, logs: map[string][]*logLines{}}
}

// Event turns an engine Event into JSON lines; use it as Options.Events.
// Hashing progress is not streamed.
func (s *EventStream) Event(e Event) {
	j := JSONEvent{Run: e.Run, Step: e.Step}
	switch e.Kind {
	case RunStarted:
		s.mu.Lock()
		s.run = e.Run
		s.mu.Unlock()
		j.Type, j.Flow = EventRunStarted, e.Message
	case StepStarted:
		j.Type = EventStepStarted
	case StepDone:
		s.flushLogs(e.Step)
		if e.Status == core.StatusCached {
			s.write(JSONEvent{Type: EventCacheHit, Run: e.Run, Step: e.Step, Task: e.Task})
		}
		j.Type, j.Status, j.Task, j.Message = EventStepFinished, e.Status, e.Task, e.Message
		j.DurationMS = e.Duration.Milliseconds()
	case Notice:
		j.Type, j.Message = EventNotice, e.Message
	case RunSigned:
		j.Type, j.Key = EventRunSigned, e.Message
	case RunUnsigned:
		j.Type, j.Message = EventNotice, "provenance is unsigned: sign runs with --sign-with KEY"
	default:
		return
	}
	s.write(j)
}

// Logs returns writers that turn a step's output into step_log events, a
// line at a time; use it as Options.Logs.
func (s *EventStream) Logs(step string) (stdout, stderr io.Writer) {
	out := &logLines{s: s, step: step, stream: "stdout"}
	errw := &logLines{s: s, step: step, stream: "stderr"}
	s.mu.Lock()
	s.logs[step] = append(s.logs[step], out, errw)
	s.mu.Unlock()
	return out, errw
}

// Finished writes run_finished with the run record.
func (s *EventStream) Finished(rec *core.RunRecord) {
	s.flushAll()
	s.write(JSONEvent{Type: EventRunFinished, Run: rec.ID, Status: rec.Status,
		DurationMS: rec.Duration().Milliseconds(), Record: rec})
}

// Error writes an error event: the run could not start or could not finish.
func (s *EventStream) Error(run string, err error) {
	s.flushAll()
	s.write(JSONEvent{Type: EventError, Run: run, Message: err.Error()})
}

// flushLogs writes what is left of a step's output without a final newline.
func (s *EventStream) flushLogs(step string) {
	s.mu.Lock()
	ws := s.logs[step]
	delete(s.logs, step)
	s.mu.Unlock()
	for _, w := range ws {
		w.flush()
	}
}

// flushAll flushes the output of steps that never finished.
func (s *EventStream) flushAll() {
	s.mu.Lock()
	steps := make([]string, 0, len(s.logs))
	for step := range s.logs {
		steps = append(steps, step)
	}
	s.mu.Unlock()
	sort.Strings(steps)
	for _, step := range steps {
		s.flushLogs(step)
	}
}

func (s *EventStream) write(j JSONEvent) {
	s.mu.Lock()
	if j.Run == "" {
		j.Run = s.run
	}
	s.mu.Unlock()
	j.Version = EventSchemaVersion
	j.Time = s.now().UTC()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(j) != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A reader that went away (a closed pipe) must not stop the run.
	_, _ = s.w.Write(buf.Bytes())
}

// logLines splits a step's output into step_log events.
type logLines struct {
	s      *EventStream
	step   string
	stream string
	mu     sync.Mutex
	buf    []byte
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}

func (l *logLines) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(string(l.buf))
		l.buf = nil
	}
}

func (l *logLines) emit(line string) {
	l.s.write(JSONEvent{Type: EventStepLog, Step: l.step, Stream: l.stream, Line: line})
}
