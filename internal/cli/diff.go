package cli

import (
	"context"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/reproduce"
)

func newDiffCommand(g *globalOptions) *cobra.Command {
	var tol toleranceFlags
	c := &cobra.Command{
		Use:   "diff RUN_A RUN_B [flags]",
		Short: "Explain how two runs differ: code, flow, params, seed, inputs, environment, outputs, metrics",
		Long: `Compare two runs of a flow: code files added, removed or changed, the flow file,
params and seed, then task by task in DAG order the inputs, outputs (JSON and
CSV structurally, directories file by file), metrics with their delta, and the
environment. The first task whose inputs matched but whose outputs did not is
named; later differences are called its consequences.

RUN_A and RUN_B are ids, unique prefixes or "last".

Exit codes: 0 the outputs are the same (or within tolerance), 1 they differ,
2 unknown run or bad usage.`,
		Example: `  lockstep diff 3f2a9c last
  lockstep diff 3f2a9c 81bd07 --rtol 1e-6 --json`,
		Args: exactArgs(2, "two runs: RUN_A RUN_B"),
		RunE: func(c *cobra.Command, args []string) error {
			return runDiff(c.Context(), tol, g, args[0], args[1])
		},
	}
	tol.addFlags(c)
	return c
}

func runDiff(ctx context.Context, tf toleranceFlags, g *globalOptions, refA, refB string) error {
	tol, err := tf.tolerance()
	if err != nil {
		return err
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	var runs [2]*reproduce.Run
	for i, ref := range []string{refA, refB} {
		if runs[i], err = loadComparable(ctx, h, ref); err != nil {
			return err
		}
	}
	rep := reproduce.Diff(h.Store, runs[0], runs[1], tol)
	p := newPrinter(g)
	if g.json {
		if err := p.json(rep); err != nil {
			return err
		}
	} else {
		printReport(p, rep)
	}
	return verdictError(rep)
}
