package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/maintain"
)

type gcOptions struct {
	keepLast     int
	dryRun       bool
	uploadsOlder time.Duration
}

func newGCCommand(g *globalOptions) *cobra.Command {
	var o gcOptions
	c := &cobra.Command{
		Use:   "gc",
		Short: "Remove objects no kept run, dataset or name reaches",
		Long: `Mark everything reachable from the catalog's roots (kept runs, names, datasets,
attestations) and remove the rest. With --keep-last N, only the newest N
finished runs are kept. gc waits for runs in progress to finish and holds the
store lock while it works, so it never removes what a run may still use.

On a store in an S3 bucket, gc also aborts the multipart uploads under the
store's prefix that were started more than --uploads-older-than ago (default
24h) and never completed: a writer killed mid-upload leaves its parts in the
bucket, invisible but stored (and billed) until they are aborted.

Exit codes: 0 success, 2 bad usage.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error { return runGC(c.Context(), o, g) },
	}
	c.Flags().IntVar(&o.keepLast, "keep-last", 0, "keep only the newest N finished runs (0: keep all runs)")
	c.Flags().BoolVar(&o.dryRun, "dry-run", false, "say what would be freed, remove nothing")
	c.Flags().DurationVar(&o.uploadsOlder, "uploads-older-than", maintain.DefaultUploadAge, "abort unfinished uploads to a bucket started longer ago than this")
	return c
}

func runGC(ctx context.Context, o gcOptions, g *globalOptions) error {
	if o.keepLast < 0 {
		return usageErrorf("--keep-last %d: want 0 or more", o.keepLast)
	}
	if o.uploadsOlder <= 0 {
		return usageErrorf("--uploads-older-than %s: want a positive duration, e.g. 24h", o.uploadsOlder)
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	p := newPrinter(g)
	rep, err := maintain.GC(ctx, h.Store, h.Catalog, maintain.GCOptions{
		KeepLast: o.keepLast, DryRun: o.dryRun, Lock: h.Lock(), WorkDir: h.WorkDir(), TempDir: h.TempDir(),
		UploadsOlderThan: o.uploadsOlder,
		Waiting:          func() { p.info("waiting for the runs in progress to finish…") },
	})
	if err != nil {
		return err
	}
	if g.json {
		return p.json(rep)
	}
	verb := "removed"
	if o.dryRun {
		verb = "would remove"
	}
	for _, id := range rep.DroppedRuns {
		p.result("%s run %s", verb, id)
	}
	p.result("%s %d objects, freeing %s; %d objects kept", verb, rep.Objects, humanBytes(rep.Bytes), rep.Kept)
	if rep.Uploads > 0 {
		verb = "aborted"
		if o.dryRun {
			verb = "would abort"
		}
		p.result("%s %d uploads started over %s ago and never completed", verb, rep.Uploads, o.uploadsOlder)
	}
	return nil
}
