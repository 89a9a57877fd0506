package cli

import (
	"context"
	"fmt"

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

Exit codes, as diff(1): 0 the runs are the same (outputs equal or within
tolerance, and nothing else differs), 1 they differ in anything shown (code,
flow file, params, seed, inputs, command, environment, outputs, metrics),
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
	if err := verdictError(rep); err != nil {
		return err
	}
	if runsDiffer(rep) {
		return &failedError{fmt.Sprintf("run %s and run %s differ, though their outputs are the same", rep.Original, rep.Rerun)}
	}
	return nil
}

// runsDiffer tells whether the report shows any difference besides the
// outputs (which its verdict judges).
func runsDiffer(rep *reproduce.Report) bool {
	if len(rep.Code) > 0 || rep.FlowFile != nil || len(rep.Params) > 0 || rep.Seed != nil {
		return true
	}
	for _, t := range rep.Tasks {
		if len(t.Inputs) > 0 || t.Command != nil || len(t.Environment) > 0 || t.Seed != nil || t.Problem != "" {
			return true
		}
	}
	return false
}
