package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/query"
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

func runRuns(ctx context.Context, o runsOptions, g *globalOptions) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	list, err := query.Runs(ctx, h.Catalog, o.limit)
	if err != nil {
		return err
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
