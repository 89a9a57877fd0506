package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/notebook"
)

func newNotebookCommand(g *globalOptions) *cobra.Command {
	nb := &cobra.Command{
		Use:   "nb",
		Short: "Check Jupyter notebooks: were their saved outputs made by one run from top to bottom?",
	}
	nb.AddCommand(&cobra.Command{
		Use:   "check NOTEBOOK.ipynb...",
		Short: "Say whether each notebook's outputs come from running its cells once, in order, in a fresh kernel",
		Long: `Read each notebook's execution counts and say whether its saved outputs come
from running its code cells once each, from top to bottom, in a fresh kernel
(counts 1, 2, 3, … in the order the cells appear, no cell skipped before the
last one run). Otherwise it names each cell that ran out of order, was run
again, was skipped, or holds outputs it did not make: results a reader cannot
get by running the notebook. Run "Restart Kernel and Run All Cells" and save.

Exit codes: 0 every notebook in order, 1 one is not, 2 a file is not a notebook.`,
		Example: `  lockstep nb check analysis.ipynb
  lockstep nb check notebooks/*.ipynb --json`,
		Args: rangeArgs(1, 1<<20, "one or more NOTEBOOK.ipynb"),
		RunE: func(c *cobra.Command, args []string) error { return runNotebookCheck(c.Context(), g, args) },
	})
	return nb
}

func runNotebookCheck(_ context.Context, g *globalOptions, paths []string) error {
	type checked struct {
		Notebook string `json:"notebook"`
		*notebook.Report
	}
	var all []checked
	bad := 0
	for _, path := range paths {
		if err := core.CheckRegular(path); err != nil {
			return &usageError{err}
		}
		f, err := os.Open(path)
		if err != nil {
			return &usageError{err}
		}
		rep, err := notebook.Check(f)
		f.Close()
		if err != nil {
			return usageErrorf("%s: %v", path, err)
		}
		if !rep.InOrder {
			bad++
		}
		all = append(all, checked{path, rep})
	}
	p := newPrinter(g)
	if g.json {
		if err := p.json(all); err != nil {
			return err
		}
	} else {
		for _, c := range all {
			if c.InOrder {
				p.result("%s %s: %d of %d code cells ran once each, top to bottom, in a fresh kernel", p.paint(green, "✓"), c.Notebook, c.Executed, c.Code)
				continue
			}
			p.result("%s %s: its outputs do not come from one run from top to bottom", p.paint(red, "✗"), c.Notebook)
			for _, pr := range c.Problems {
				p.result("  cell %d %s", pr.Cell, pr.Message)
			}
		}
	}
	if bad > 0 {
		return &failedError{fmt.Sprintf("%d of %d notebook(s) ran out of order: restart the kernel, run all cells and save", bad, len(all))}
	}
	return nil
}
