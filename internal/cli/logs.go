package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/query"
)

type logsOptions struct{ stream string }

func newLogsCommand(g *globalOptions) *cobra.Command {
	var o logsOptions
	c := &cobra.Command{
		Use:   "logs RUN [STEP]",
		Short: "Print the stored stdout and stderr of a run's steps",
		Long: `Print the stdout and stderr each step wrote, as stored. With STEP, only that
step's, without a prefix.

Exit codes: 0 success, 2 unknown run or step.`,
		Args: rangeArgs(1, 2, "RUN and an optional STEP"),
		RunE: func(c *cobra.Command, args []string) error {
			step := ""
			if len(args) == 2 {
				step = args[1]
			}
			return runLogs(c.Context(), o, g, args[0], step)
		},
	}
	c.Flags().StringVar(&o.stream, "stream", "both", "which stream: stdout, stderr or both")
	return c
}

func runLogs(ctx context.Context, o logsOptions, g *globalOptions, ref, step string) error {
	if o.stream != "both" && o.stream != "stdout" && o.stream != "stderr" {
		return usageErrorf("--stream %q: want stdout, stderr or both", o.stream)
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	logs, err := query.Logs(ctx, h.Store, h.Catalog, ref, step, o.stream)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	for _, l := range logs {
		prefix := ""
		if step == "" {
			prefix = l.Step + " │ "
		}
		if err := copyObject(h, l.Digest, p.lines(g.stdout, prefix)); err != nil {
			return fmt.Errorf("%s %s: %w", l.Step, l.Stream, err)
		}
	}
	return nil
}

// copyObject streams a stored object to w.
func copyObject(h *engine.Home, d core.Digest, w io.Writer) error {
	err := query.Copy(h.Store, d, w)
	if lw, ok := w.(*lineWriter); ok {
		lw.Flush()
	}
	return err
}
