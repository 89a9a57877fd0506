package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/query"
)

type runOptions struct {
	file      string
	params    []string
	seed      string
	freshSeed bool
	jobs      int
	steps     []string
	noCache   bool
	keepGoing bool
	force     []string
	sandbox   string
	sign      string
	builder   string
	archive   bool
	restore   string
	on        string

	resumeFrom string // set by resume
}

func newRunCommand(g *globalOptions) *cobra.Command {
	var o runOptions
	c := &cobra.Command{
		Use:   "run [FLOW] [flags]",
		Short: "Run a flow and record everything",
		Long: `Run the steps of a flow as a DAG (independent steps in parallel) and record the
code, inputs, outputs, environment, seed, logs and metrics of every step.
A step whose task ran before with the same cache key reuses its outputs.

FLOW (or -f FLOW, default lockstep.yaml) is a YAML or JSON flow file, "-" for
a flow read from stdin, or a Python file whose flow ` + "`python3 -m lockstep flow-json FILE.py`" + `
prints (the lockstep Python package; $LOCKSTEP_PYTHON names the interpreter).
A flow that is not a file of the project is stored with the run as
NAME.flow.json, so reproduce and diff read the flow that ran.

Exit codes: 0 the run succeeded, 1 it failed, 2 bad usage or a bad flow file.`,
		Example: `  lockstep run
  lockstep run -f flows/train.yaml --param lr=0.05 --seed 7 -j 2
  lockstep run train_flow.py              # a flow written in Python (see "Flows in Python")
  lockstep run --step train --force train`,
		Args: cobra.MaximumNArgs(1),
		PreRunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				if c.Flags().Changed("file") {
					return usageErrorf("give the flow file once: as an argument or with -f, not both")
				}
				o.file = args[0]
			}
			return o.checkSeed()
		},
		RunE: func(c *cobra.Command, args []string) error { return runRun(c.Context(), o, g) },
	}
	o.addFlags(c)
	return c
}

func (o *runOptions) addFlags(c *cobra.Command) {
	f := c.Flags()
	f.StringVarP(&o.file, "file", "f", "lockstep.yaml", "flow file")
	f.StringArrayVar(&o.params, "param", nil, "override a param: NAME=VALUE (repeatable)")
	f.StringVar(&o.seed, "seed", "", "seed to inject (default: the flow's, else the flow's last run's, else a fresh one; always recorded)")
	f.BoolVar(&o.freshSeed, "fresh-seed", false, "draw a new seed instead of reusing the last run's (when the flow sets none)")
	f.IntVarP(&o.jobs, "jobs", "j", 0, "steps to run at once (default: what the backend can run; the number of cores for local)")
	f.StringSliceVar(&o.steps, "step", nil, "run only these steps and what they depend on (repeatable)")
	f.BoolVar(&o.noCache, "no-cache", false, "run every step even if an identical task ran before")
	f.BoolVarP(&o.keepGoing, "keep-going", "k", false, "after a step fails, run on every step that does not depend on it (like make -k)")
	f.StringSliceVar(&o.force, "force", nil, "run these steps even if cached (repeatable)")
	f.StringVar(&o.sandbox, "sandbox", "", "override the flow's sandbox: required or none")
	f.StringVar(&o.sign, "sign-with", "", "sign the run's provenance with this key (default: the flow's signing.key, else $LOCKSTEP_SIGNING_KEY)")
	f.StringVar(&o.builder, "builder-id", "", "builder id to record in the provenance (default: derived from host and key)")
	f.StringVar(&o.restore, "restore-env-from", "", "mount the environment RUN archived (--archive-env) at its original paths, step by step, instead of the host's")
	addOnFlag(c, &o.on)
	f.BoolVar(&o.archive, "archive-env", false, "store each step's toolchain directories (interpreter prefix, site-packages, environment.paths) so the run can be reproduced after the host changes")
}

// checkSeed refuses a --seed that is not an integer in PYTHONHASHSEED's range.
func (o *runOptions) checkSeed() error {
	if o.seed == "" {
		return nil
	}
	if s, err := strconv.ParseInt(o.seed, 10, 64); err != nil || s < 0 || s > maxSeed {
		return usageErrorf("--seed %q: want an integer from 0 to %d (it is also PYTHONHASHSEED)", o.seed, maxSeed)
	}
	return nil
}

// maxSeed is the largest seed: PYTHONHASHSEED takes 0 to 4294967295.
const maxSeed = 4294967295

func (o *runOptions) engineOptions(g *globalOptions, h *engine.Home) (engine.Options, error) {
	opts := engine.Options{
		Jobs: o.jobs, Steps: o.steps, NoCache: o.noCache, KeepGoing: o.keepGoing, Force: o.force,
		Sandbox: o.sandbox, Params: map[string]any{},
		BuilderID:  o.builder,
		ResumeFrom: o.resumeFrom, ArchiveEnv: o.archive, RestoreEnvFrom: o.restore, FreshSeed: o.freshSeed,
	}
	for _, kv := range o.params {
		k, v, err := flow.ParseParam(kv)
		if err != nil {
			return opts, &usageError{err}
		}
		opts.Params[k] = v
	}
	if o.seed != "" {
		if err := o.checkSeed(); err != nil {
			return opts, err
		}
		s, _ := strconv.ParseInt(o.seed, 10, 64)
		opts.Seed = &s
	}
	var err error
	opts.Backend, err = openBackend(o.on, h, g.environ)
	return opts, err
}

func runRun(ctx context.Context, o runOptions, g *globalOptions) error {
	if !g.json {
		return runText(ctx, o, g)
	}
	s := engine.NewEventStream(g.stdout)
	rec, err := startRun(ctx, o, g, s.Logs, s.Event, nil, func(*engine.Home, *core.RunRecord) {})
	if rec == nil {
		s.Error("", err)
		return err
	}
	if err != nil {
		s.Error(rec.ID, err)
	}
	s.Finished(rec)
	return runOutcome(rec, err)
}

// runText runs with step logs and progress on stderr and a summary after.
func runText(ctx context.Context, o runOptions, g *globalOptions) error {
	p := newPrinter(g)
	view := newRunView(p)
	rec, err := startRun(ctx, o, g, view.logs, view.event, view.hashing("code"), func(h *engine.Home, rec *core.RunRecord) {
		view.flush()
		printRunSummary(ctx, p, h, rec)
	})
	if rec == nil {
		return err
	}
	return runOutcome(rec, err)
}

// startRun opens the home, loads and checks the flow, picks the signing
// key, snapshots the code and runs the flow; done is called with the home
// still open once a run was recorded.
func startRun(ctx context.Context, o runOptions, g *globalOptions, logs func(string) (io.Writer, io.Writer),
	events func(engine.Event), hashing func(int64), done func(*engine.Home, *core.RunRecord)) (*core.RunRecord, error) {
	if _, err := os.Stat(o.file); o.file != "-" && errors.Is(err, os.ErrNotExist) {
		return nil, usageErrorf("no flow file %s here: create one with `lockstep init`, or name one with -f FILE", o.file)
	}
	h, err := g.openHomeAt(ctx, g.homeRoot(), true)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	opts, err := o.engineOptions(g, h)
	if err != nil {
		return nil, err
	}
	opts.Logs, opts.Events = logs, events
	if opts.RestoreEnvFrom != "" {
		if opts.RestoreEnvFrom, err = h.Catalog.ResolveRun(ctx, opts.RestoreEnvFrom); err != nil {
			return nil, usageErrorf("--restore-env-from %q: %v", o.restore, err)
		}
	}
	lf, err := loadFlow(ctx, g, o.file)
	if err != nil {
		var usage *usageError
		if errors.As(err, &usage) {
			return nil, err
		}
		return nil, &engine.InputError{Err: err}
	}
	fl := lf.Flow
	if lf.generated != nil {
		// Not a file of the code snapshot: stored on its own, so that
		// reproduce and diff read the flow that ran.
		if _, err := h.Store.PutBytes(lf.generated); err != nil {
			return nil, err
		}
	}
	if err := engine.Check(fl, opts); err != nil {
		return nil, err
	}
	if opts.Signer, err = runSigner(g, o.sign, fl, fl.Dir); err != nil {
		return nil, err
	}
	code, err := h.Snapshot(ctx, fl, hashing)
	if err != nil {
		return nil, err
	}
	rec, err := h.Run(ctx, fl, code, opts)
	if rec != nil {
		done(h, rec)
	}
	return rec, err
}

// runOutcome is the error a finished run returns: its own, else failure.
func runOutcome(rec *core.RunRecord, err error) error {
	if err != nil {
		return err
	}
	if rec.Status != core.StatusSucceeded {
		return &failedError{fmt.Sprintf("run %s %s", rec.ID, rec.Status)}
	}
	return nil
}

// runView shows a run as it happens: step logs with a prefix, step starts and
// ends, and hashing progress on a terminal.
type runView struct {
	p     *printer
	width int

	mu      sync.Mutex // steps run side by side: logs and event are called concurrently
	writers []*lineWriter
	lastMsg time.Time
}

func newRunView(p *printer) *runView { return &runView{p: p, width: 8} }

func (v *runView) logs(step string) (io.Writer, io.Writer) {
	prefix := v.p.paint(dim, fmt.Sprintf("%-*s │ ", v.width, step))
	out := v.p.lines(v.p.g.stderr, prefix)
	errw := v.p.lines(v.p.g.stderr, prefix)
	if v.p.g.quiet {
		out, errw = v.p.lines(io.Discard, ""), v.p.lines(io.Discard, "")
	}
	v.mu.Lock()
	v.writers = append(v.writers, out, errw)
	v.mu.Unlock()
	return out, errw
}

func (v *runView) flush() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, w := range v.writers {
		w.Flush()
	}
}

func (v *runView) event(e engine.Event) {
	switch e.Kind {
	case engine.RunStarted:
		v.p.info("%s run %s of flow %s", v.p.paint(bold, "lockstep"), e.Run, e.Message)
	case engine.StepStarted:
		v.p.info("%s %s", v.p.paint(dim, "▶"), e.Step)
	case engine.StepDone:
		mark, color := "✓", green
		switch e.Status {
		case core.StatusFailed:
			mark, color = "✗", red
		case core.StatusSkipped:
			mark, color = "-", yellow
		case core.StatusCached:
			mark = "↺"
		}
		line := fmt.Sprintf("%s %s %s", v.p.paint(color, mark), e.Step, e.Status)
		if e.Duration > 0 {
			line += " in " + e.Duration.Round(time.Millisecond).String()
		}
		if e.Message != "" && e.Status != core.StatusSucceeded {
			line += ": " + e.Message
		}
		v.p.info("%s", line)
	case engine.RunSigned:
		v.p.info("%s provenance signed by key %s", v.p.paint(green, "✓"), e.Message)
	case engine.RunUnsigned:
		v.p.info("%s provenance is unsigned: sign runs with --sign-with KEY (make one with `lockstep key generate builder`)", v.p.paint(yellow, "!"))
	case engine.Hashing:
		// Only on a terminal, at most ten times a second.
		v.mu.Lock()
		due := time.Since(v.lastMsg) > 100*time.Millisecond
		if due {
			v.lastMsg = time.Now()
		}
		v.mu.Unlock()
		if due {
			v.p.status("hashing %s: %s", e.Message, humanBytes(e.Bytes))
		}
	}
}

// hashing reports bytes hashed for what as Hashing events, which the view
// shows on a terminal.
func (v *runView) hashing(what string) func(int64) {
	var total atomic.Int64
	return func(n int64) {
		v.event(engine.Event{Kind: engine.Hashing, Message: what, Bytes: total.Add(n)})
	}
}

// printRunSummary says how the run went and what to do next.
func printRunSummary(ctx context.Context, p *printer, h *engine.Home, rec *core.RunRecord) {
	status := p.paint(green, rec.Status)
	if rec.Status != core.StatusSucceeded {
		status = p.paint(red, rec.Status)
	}
	p.result("run %s %s in %s (seed %d, sandbox %s)", rec.ID, status, rec.Duration().Round(time.Millisecond), rec.Seed, rec.Sandbox)
	why := reranWhy(ctx, h, rec.ID)
	for _, st := range query.Summary(h.Store, rec, 10) {
		s, t := st.Step, st.Task
		if line, ok := why[s]; ok {
			p.result("%s %s re-ran: %s", p.paint(dim, "↻"), s, line)
		}
		for _, name := range sortedKeys(t.Outputs) {
			p.result("  %s.%s  %s", s, name, t.Outputs[name].Digest)
		}
		if t.Status == core.StatusSkipped {
			p.result("%s %s skipped: %s", p.paint(yellow, "-"), s, t.Error)
		}
		if t.Status == core.StatusFailed {
			p.result("%s %s: %s", p.paint(red, "✗"), s, t.Error)
			if len(st.LogTail) > 0 {
				p.result("  exit code %d; last lines of its log:", t.ExitCode)
				for _, line := range st.LogTail {
					p.result("  %s", line)
				}
			}
			p.info("Full log: lockstep logs %s %s", rec.ID, s)
		}
	}
	if rec.Status == core.StatusSucceeded {
		p.info("Next: lockstep show %s · lockstep get %s STEP.OUTPUT DEST", rec.ID, rec.ID)
	}
}

// reranWhy says, for each step that ran again after an earlier run of the
// flow, what in its key changed. It is a hint: a failure to work it out
// leaves it out.
func reranWhy(ctx context.Context, h *engine.Home, run string) map[string]string {
	exps, err := h.Why(ctx, run, nil)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, e := range exps {
		ran := e.Status == core.StatusSucceeded || e.Status == core.StatusFailed
		if ran && e.Previous != "" {
			out[e.Step] = e.Summary()
		}
	}
	return out
}
