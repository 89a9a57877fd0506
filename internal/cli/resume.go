package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newResumeCommand(g *globalOptions) *cobra.Command {
	var o runOptions
	c := &cobra.Command{
		Use:   "resume [RUN]",
		Short: "Continue a failed or aborted run: reuse its succeeded steps, run the rest",
		Long: `Continue a failed or aborted run (default: the last run) as a new run linked
to it: the steps that succeeded are reused as they are (recorded as cached,
pointing at the original task), and the failed, skipped and never-started
steps run with the project's current code. Params and seed default to the
resumed run's.

Exit codes: 0 the run succeeded, 1 it failed, 2 bad usage or the run cannot
be resumed (it succeeded or is still running).`,
		Args: rangeArgs(0, 1, "at most one RUN"),
		RunE: func(c *cobra.Command, args []string) error {
			ref := "last"
			if len(args) == 1 {
				ref = args[0]
			}
			return runResume(c.Context(), o, g, ref)
		},
	}
	o.addFlags(c)
	return c
}

func runResume(ctx context.Context, o runOptions, g *globalOptions, ref string) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	id, err := h.Catalog.ResolveRun(ctx, ref)
	h.Close()
	if err != nil {
		return &usageError{err}
	}
	o.resumeFrom = id
	if o.seed != "" {
		return usageErrorf("--seed: a resumed run keeps the seed of run %s", id)
	}
	newPrinter(g).info("resuming run %s", id)
	if err := runRun(ctx, o, g); err != nil {
		return fmt.Errorf("resume %s: %w", id, err)
	}
	return nil
}
