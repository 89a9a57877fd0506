package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/maintain"
)

type checkOptions struct {
	rebuild  bool
	skipData bool
}

func newCheckCommand(g *globalOptions) *cobra.Command {
	var o checkOptions
	c := &cobra.Command{
		Use:   "check",
		Short: "Verify every object against its digest, and the catalog against the store",
		Long: `Rehash every object in the store (a mismatch is retried once), check that every
run and task the catalog indexes has its record and that everything they name
is present, mark runs whose process died as aborted, and remove temp files
left by killed writers. Each problem is printed with the command that repairs
it. --rebuild-catalog re-indexes everything from the records in the store
first (the catalog can always be rebuilt: the store is the truth).

Exit codes: 0 all good, 1 problems found, 2 bad usage.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error { return runCheck(c.Context(), o, g) },
	}
	c.Flags().BoolVar(&o.rebuild, "rebuild-catalog", false, "rebuild the catalog from the store before checking")
	c.Flags().BoolVar(&o.skipData, "skip-data", false, "check structure only, without rehashing every object")
	return c
}

// checkOutput is `lockstep check --json`.
type checkOutput struct {
	Rebuilt *maintain.RebuildReport `json:"rebuilt,omitempty"`
	*maintain.CheckReport
}

func runCheck(ctx context.Context, o checkOptions, g *globalOptions) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	p := newPrinter(g)
	var out checkOutput
	if o.rebuild {
		out.Rebuilt, err = maintain.RebuildCatalog(ctx, h.Store, h.Catalog, h.Lock(), func() {
			p.info("waiting for the runs in progress to finish…")
		})
		if err != nil {
			return err
		}
		p.info("rebuilt the catalog: %d runs, %d tasks, %d datasets, %d attestations", out.Rebuilt.Runs, out.Rebuilt.Tasks, out.Rebuilt.Datasets, out.Rebuilt.Attestations)
	}
	aborted, err := h.MarkAborted(ctx)
	if err != nil {
		return err
	}
	out.CheckReport, err = maintain.Check(ctx, h.Store, h.Catalog, maintain.CheckOptions{SkipData: o.skipData,
		Local: maintain.Local{WorkDir: h.WorkDir(), TempDir: h.TempDir(), Lock: h.Lock()}})
	if err != nil {
		return err
	}
	out.AbortedMarked = aborted
	rep := out.CheckReport
	if g.json {
		if err := p.json(out); err != nil {
			return err
		}
	} else {
		for _, id := range aborted {
			p.result("run %s was interrupted: marked aborted", id)
		}
		for _, pr := range rep.Problems {
			p.result("%s %s %s: %s", p.paint(red, "✗"), pr.Kind, pr.Object, pr.Detail)
			p.result("  repair: %s", pr.Repair)
		}
		verb := "checked"
		if !o.skipData {
			verb = "rehashed"
		}
		p.result("%s %d objects (%s), %d runs; %d problems; removed %d stale temp files and %d work folders of runs that are not running",
			verb, rep.Objects, humanBytes(rep.Bytes), rep.Runs, len(rep.Problems), rep.TempRemoved, rep.WorkRemoved)
	}
	if !rep.OK() {
		return &failedError{fmt.Sprintf("check found %d problems", len(rep.Problems))}
	}
	return nil
}
