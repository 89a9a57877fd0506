package cli

import (
	"context"

	"github.com/spf13/cobra"
)

func newWhyCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "why RUN [STEP]",
		Short: "Say which part of a step's cache key changed since the step's last run",
		Long: `Compare the cache key of each step's task in RUN (or of STEP's) with the same
step's in the latest earlier run of the flow, and say what changed: code files,
inputs, params, the seed, environment entries (packages, OS, variables), the
command or settings. A step whose key did not change was reused from the cache.

Exit codes: 0 success, 2 unknown run or step.`,
		Example: `  lockstep why last train
  lockstep why last --json`,
		Args: rangeArgs(1, 2, "RUN and an optional STEP"),
		RunE: func(c *cobra.Command, args []string) error {
			return runWhy(c.Context(), g, args[0], args[1:])
		},
	}
}

func runWhy(ctx context.Context, g *globalOptions, ref string, steps []string) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	run, err := h.Catalog.ResolveRun(ctx, ref)
	if err != nil {
		return &usageError{err}
	}
	exps, err := h.Why(ctx, run, steps)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		return p.json(exps)
	}
	for _, e := range exps {
		if e.Previous == "" || len(e.Changes) == 0 {
			p.result("%s %s: %s", e.Step, e.Status, e.Summary())
			continue
		}
		p.result("%s %s; since run %s:", e.Step, e.Status, e.Previous)
		for _, c := range e.Changes {
			p.result("  %s", c)
		}
	}
	return nil
}
