package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
)

type runsOptions struct{ limit int }

func newRunsCommand(g *globalOptions) *cobra.Command {
	var o runsOptions
	c := &cobra.Command{
		Use:   "runs",
		Short: "List runs, newest first",
		Long: `List runs newest first: id, flow, status, start time, duration and outputs.

Exit codes: 0 success, 2 no lockstep home.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error { return runRuns(c.Context(), o, g) },
	}
	c.Flags().IntVarP(&o.limit, "limit", "n", 50, "show at most N runs (0: all)")
	return c
}

// runListing is one row of `lockstep runs --json`.
type runListing struct {
	ID       string                 `json:"id"`
	Flow     string                 `json:"flow"`
	Status   string                 `json:"status"`
	Error    string                 `json:"error,omitempty"`
	Started  time.Time              `json:"started"`
	Duration float64                `json:"duration_seconds"`
	Record   core.Digest            `json:"record,omitempty"`
	Outputs  map[string]core.Digest `json:"outputs"`
}

func runRuns(ctx context.Context, o runsOptions, g *globalOptions) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	rows, err := h.Catalog.Runs(ctx, o.limit)
	if err != nil {
		return err
	}
	list := make([]runListing, 0, len(rows))
	for _, r := range rows {
		l := runListing{ID: r.ID, Flow: r.Flow, Status: r.Status, Error: r.Error, Started: r.Started, Record: r.Record, Outputs: map[string]core.Digest{}}
		if !r.Finished.IsZero() {
			l.Duration = r.Finished.Sub(r.Started).Seconds()
		}
		tasks, err := h.Catalog.Tasks(ctx, r.ID)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			for name, d := range t.Outputs {
				l.Outputs[t.Step+"."+name] = d
			}
		}
		list = append(list, l)
	}
	p := newPrinter(g)
	if g.json {
		return p.json(list)
	}
	if len(list) == 0 {
		p.info("No runs yet. Start one with `lockstep run`.")
		return nil
	}
	p.result("%-12s  %-16s  %-9s  %-19s  %9s  %s", "ID", "FLOW", "STATUS", "STARTED", "DURATION", "OUTPUTS")
	for _, l := range list {
		dur := "-"
		if l.Duration > 0 {
			dur = (time.Duration(l.Duration * float64(time.Second))).Round(time.Millisecond).String()
		}
		p.result("%-12s  %-16s  %-9s  %-19s  %9s  %s", l.ID, l.Flow, statusColor(p, l.Status), l.Started.Local().Format("2006-01-02 15:04:05"), dur, outputSummary(l.Outputs))
	}
	return nil
}

func statusColor(p *printer, s string) string {
	switch s {
	case core.StatusSucceeded:
		return p.paint(green, fmt.Sprintf("%-9s", s))
	case core.StatusFailed, core.StatusAborted:
		return p.paint(red, fmt.Sprintf("%-9s", s))
	}
	return s
}

func outputSummary(outs map[string]core.Digest) string {
	names := make([]string, 0, len(outs))
	for n := range outs {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, n+"="+outs[n].Short())
	}
	return strings.Join(parts, " ")
}

// loadRun resolves RUN (id, unique prefix or "last") and reads its record
// and its tasks' records. A run still in progress has no record yet: its
// catalog row is turned into a partial record.
func loadRun(ctx context.Context, h *engine.Home, ref string) (*core.RunRecord, map[string]*core.TaskRecord, error) {
	id, err := h.Catalog.ResolveRun(ctx, ref)
	if err != nil {
		return nil, nil, &usageError{err}
	}
	row, err := h.Catalog.Run(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	rec := &core.RunRecord{ID: row.ID, Flow: row.Flow, Status: row.Status, Error: row.Error, Started: row.Started,
		Finished: row.Finished, Code: row.Code, Seed: row.Seed, Host: row.Host, Tasks: map[string]core.Digest{}}
	if row.Record != "" {
		rec = new(core.RunRecord)
		if err := h.Store.GetJSON(row.Record, rec); err != nil {
			return nil, nil, fmt.Errorf("read run record: %w", err)
		}
		rec.Status, rec.Error = row.Status, row.Error
	}
	rows, err := h.Catalog.Tasks(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	tasks := map[string]*core.TaskRecord{}
	for _, t := range rows {
		if t.Record == "" {
			continue
		}
		tr := new(core.TaskRecord)
		if err := h.Store.GetJSON(t.Record, tr); err != nil {
			return nil, nil, fmt.Errorf("read task record %s: %w", t.Step, err)
		}
		tasks[t.Step] = tr
		rec.Tasks[t.Step] = t.Record
	}
	return rec, tasks, nil
}

// loadRunSteps is loadRun plus the steps to show: all of them in start
// order, or just step when one is named (an unknown step is a usage error
// listing the run's steps).
func loadRunSteps(ctx context.Context, h *engine.Home, ref, step string) (*core.RunRecord, map[string]*core.TaskRecord, []string, error) {
	rec, tasks, err := loadRun(ctx, h, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	steps := sortedSteps(tasks)
	if step == "" {
		return rec, tasks, steps, nil
	}
	if _, ok := tasks[step]; !ok {
		return nil, nil, nil, usageErrorf("run %s has no step %q (steps: %v)", rec.ID, step, steps)
	}
	return rec, tasks, []string{step}, nil
}
