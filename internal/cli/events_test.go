package cli

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
)

// events decodes the JSON lines of `run --json`, failing on any line that is
// not one event of the current schema.
func events(t *testing.T, stdout string) []engine.JSONEvent {
	t.Helper()
	var evs []engine.JSONEvent
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var e engine.JSONEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d is not a JSON event: %v\n%s", len(evs)+1, err, sc.Text())
		}
		if e.Version != engine.EventSchemaVersion || e.Type == "" || e.Time.IsZero() {
			t.Fatalf("line %d lacks version, type or time: %s", len(evs)+1, sc.Text())
		}
		evs = append(evs, e)
	}
	return evs
}

func TestRunJSONIsAnEventStream(t *testing.T) {
	flow := `flow: f
steps:
  bad:
    run: echo starting; echo "it broke here" >&2; exit 3
    outputs: {x: x.txt}
  after:
    run: cat $LOCKSTEP_INPUT_X
    inputs: {x: bad.x}
  good:
    run: printf 'one\ntwo' ; echo fine > $LOCKSTEP_OUTPUT_DIR/ok.txt
    outputs: {ok: ok.txt}
`
	p := newProject(t, flow, nil)
	r := p.mustRun(1, "run", "--json", "-j", "2")
	evs := events(t, r.stdout)
	if len(evs) == 0 || evs[0].Type != engine.EventRunStarted || evs[0].Run == "" || evs[0].Flow != "f" {
		t.Fatalf("the stream does not open with run_started naming run and flow: %+v", evs)
	}
	last := evs[len(evs)-1]
	if last.Type != engine.EventRunFinished || last.Record == nil || last.Status != core.StatusFailed || last.Record.ID != evs[0].Run {
		t.Fatalf("the stream does not end with run_finished and the failed run's record: %+v", last)
	}
	finished := map[string]engine.JSONEvent{}
	var logs []string
	for _, e := range evs {
		if e.Run != evs[0].Run {
			t.Errorf("%s event names run %q, want %q", e.Type, e.Run, evs[0].Run)
		}
		switch e.Type {
		case engine.EventStepFinished:
			finished[e.Step] = e
		case engine.EventStepLog:
			logs = append(logs, e.Step+"/"+e.Stream+":"+e.Line)
		}
	}
	if f := finished["bad"]; f.Status != core.StatusFailed || !strings.Contains(f.Message, "3") || f.Task == "" {
		t.Errorf("bad: %+v, want failed with the exit code and its task record", f)
	}
	if f := finished["after"]; f.Status != core.StatusSkipped || f.Message == "" {
		t.Errorf("after: %+v, want skipped with the reason", f)
	}
	if f := finished["good"]; f.Status != core.StatusSucceeded {
		t.Errorf("good: %+v", f)
	}
	for _, want := range []string{"bad/stdout:starting", "bad/stderr:it broke here", "good/stdout:one", "good/stdout:two"} {
		if !strings.Contains(strings.Join(logs, "\n"), want) {
			t.Errorf("no step_log %q in %q", want, logs)
		}
	}

	// Run again: the good step is a cache hit, announced before it finishes.
	r = p.mustRun(1, "run", "--json", "-j", "2")
	var hit, done bool
	for _, e := range events(t, r.stdout) {
		if e.Step != "good" {
			continue
		}
		switch e.Type {
		case engine.EventCacheHit:
			hit = e.Task != "" && !done
		case engine.EventStepFinished:
			done = e.Status == core.StatusCached
		}
	}
	if !hit || !done {
		t.Errorf("rerun: good not announced as cache_hit then finished cached:\n%s", r.stdout)
	}
}

func TestRunJSONReportsAnErrorEvent(t *testing.T) {
	p := newProject(t, "flow: f\nsteps:\n  a:\n    run: echo hi\n    inputs: {x: nosuch.out}\n", nil)
	r := p.run("run", "--json")
	if r.code == 0 {
		t.Fatalf("a flow naming an unknown step ran:\n%s", r.stdout)
	}
	evs := events(t, r.stdout)
	if len(evs) == 0 || evs[len(evs)-1].Type != engine.EventError || evs[len(evs)-1].Message == "" {
		t.Errorf("no closing error event:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}
