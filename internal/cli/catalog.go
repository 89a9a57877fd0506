package cli

import (
	"context"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/home"
)

func newCatalogCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "catalog",
		Short: "Work on the catalog as a whole (copy it into another one)",
		Args:  exactArgs(0, "a subcommand: copy"),
	}
	c.AddCommand(newCatalogCopyCommand(g))
	return c
}

type catalogCopyOptions struct{ to string }

func newCatalogCopyCommand(g *globalOptions) *cobra.Command {
	var o catalogCopyOptions
	c := &cobra.Command{
		Use:   "copy --to URL",
		Short: "Copy every run, task, name and attestation of this home's catalog into another catalog",
		Long: `Copy every record of this home's catalog (runs with their tasks, dataset and
model names, attestations) into the catalog at --to, typically a team's
PostgreSQL database: postgres://USER@HOST/DATABASE, with the password from
libpq's environment (PGPASSWORD, PGPASSFILE or ~/.pgpass), never the URL.
The copy waits for runs in progress and holds the store lock while it works.
It is resumable: what the destination already has is skipped, so after an
interruption run it again. At the end every record is read back from both
catalogs and compared. Then point the home at the copy (catalog: in
.lockstep/config.yaml, or LOCKSTEP_CATALOG), and move the objects with the
store's own copy if the store moves too.

Exit codes: 0 copied and verified, 1 the copy failed or differs, 2 bad usage.`,
		Args: exactArgs(0, "no arguments; the destination is --to URL"),
		RunE: func(c *cobra.Command, args []string) error { return runCatalogCopy(c.Context(), o, g) },
	}
	c.Flags().StringVar(&o.to, "to", "", "URL of the catalog to copy into: postgres://user@host/db or sqlite:///path (required)")
	return c
}

func runCatalogCopy(ctx context.Context, o catalogCopyOptions, g *globalOptions) error {
	if o.to == "" {
		return usageErrorf("catalog copy: --to URL is required (for example --to postgres://lockstep@db.internal/lockstep)")
	}
	if err := home.CheckURLs(home.Config{Catalog: o.to}); err != nil {
		return usageErrorf("--to: %v", err)
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	if o.to == h.URLs.Catalog {
		return usageErrorf("--to %s is this home's own catalog; name another one", home.Redact(o.to))
	}
	p := newPrinter(g)
	held, err := h.Lock().Exclusive(ctx, func() { p.info("waiting for the runs in progress to finish…") })
	if err != nil {
		return err
	}
	defer held.Unlock()
	to, err := home.OpenCatalog(ctx, o.to)
	if err != nil {
		return &failedError{err.Error()}
	}
	defer to.Close()
	rep, err := catalog.Copy(ctx, h.Catalog, to)
	if err != nil {
		return &failedError{err.Error()}
	}
	if g.json {
		return p.json(rep)
	}
	dest := home.Redact(o.to)
	p.result("copied %d runs, %d tasks, %d names, %d attestations into %s (%d runs, %d names, %d attestations were there already)",
		rep.Runs.Copied, rep.Tasks.Copied, rep.Names.Copied, rep.Attestations.Copied, dest,
		rep.Runs.Skipped, rep.Names.Skipped, rep.Attestations.Skipped)
	p.result("verified %d runs, %d tasks, %d names, %d attestations", rep.Runs.Verified, rep.Tasks.Verified,
		rep.Names.Verified, rep.Attestations.Verified)
	p.info("Next: set `catalog: %s` in %s/%s (or LOCKSTEP_CATALOG) to use it.", dest, h.Root, home.ConfigFile)
	return nil
}
