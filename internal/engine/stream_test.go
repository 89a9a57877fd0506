package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

func decodeStream(t *testing.T, out string) []JSONEvent {
	t.Helper()
	var evs []JSONEvent
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var e JSONEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d: %v: %q", i+1, err, line)
		}
		evs = append(evs, e)
	}
	return evs
}

func TestEventStreamLinesNeverInterleave(t *testing.T) {
	var buf core.Tail
	s := NewEventStream(&buf)
	s.Event(Event{Kind: RunStarted, Run: "r1", Message: "f"})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			step := fmt.Sprintf("s%d", i)
			out, _ := s.Logs(step)
			for j := range 200 {
				// Lines split across writes must come out whole.
				fmt.Fprintf(out, "line %d of ", j)
				fmt.Fprintf(out, "%s\n", step)
			}
			fmt.Fprint(out, "no newline")
			s.Event(Event{Kind: StepDone, Run: "r1", Step: step, Status: core.StatusSucceeded, Duration: time.Second})
		}()
	}
	wg.Wait()
	s.Finished(&core.RunRecord{ID: "r1", Status: core.StatusSucceeded})
	evs := decodeStream(t, buf.String())
	logs := map[string]int{}
	for _, e := range evs {
		if e.Run != "r1" {
			t.Fatalf("%s event without the run id", e.Type)
		}
		if e.Type == EventStepLog {
			if e.Line != "no newline" && e.Line != fmt.Sprintf("line %d of %s", logs[e.Step], e.Step) {
				t.Fatalf("step %s line %d: %q", e.Step, logs[e.Step], e.Line)
			}
			logs[e.Step]++
		}
	}
	for i := range 8 {
		if n := logs[fmt.Sprintf("s%d", i)]; n != 201 {
			t.Errorf("s%d: %d log lines, want 201 (the last one flushed at step end)", i, n)
		}
	}
	if last := evs[len(evs)-1]; last.Type != EventRunFinished || last.Record == nil {
		t.Errorf("last event %+v", last)
	}
}

type closedPipe struct{}

func (closedPipe) Write([]byte) (int, error) { return 0, errors.New("write |1: broken pipe") }

func TestEventStreamSurvivesAClosedReader(t *testing.T) {
	s := NewEventStream(closedPipe{})
	out, _ := s.Logs("a")
	if _, err := fmt.Fprintln(out, "hello"); err != nil {
		t.Errorf("a step's log write failed because the reader went away: %v", err)
	}
	s.Error("r", errors.New("boom"))
}
