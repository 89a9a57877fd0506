package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/sbom/osv"
)

type vulndbOptions struct {
	ecosystems []string
}

func newVulndbCommand(g *globalOptions) *cobra.Command {
	c := &cobra.Command{Use: "vulndb", Short: "The offline advisory database (OSV): import exports, show what is loaded"}
	var o vulndbOptions
	imp := &cobra.Command{
		Use:   "import EXPORT...",
		Short: "Load OSV advisories from an export (an ecosystem's all.zip, or a folder of OSV JSON)",
		Long: `Load OSV advisories into the catalog from an export the user downloaded: the
all.zip every OSV ecosystem publishes (PyPI, Debian...), or a folder of OSV
JSON files. Nothing is fetched: lockstep never reaches the network here.

Each import is a snapshot: it replaces the advisories of every ecosystem the
export holds (--ecosystem restricts it), and records the export's path, its
sha256 and the time, which audit-deps reports as the data's age. Entries that
are not usable OSV advisories are skipped and listed; advisories with a range
type lockstep cannot evaluate are kept and named, and audit-deps reports them
as undecided for the packages they name. A truncated or corrupt archive
imports nothing.

Exit codes: 0 imported, 2 bad usage or an unreadable, truncated or corrupt export.`,
		Example: `  lockstep vulndb import ~/Downloads/PyPI-all.zip ~/Downloads/Debian-all.zip
  lockstep vulndb import osv-advisories/ --ecosystem PyPI`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("vulndb import takes at least one EXPORT (an all.zip or a folder of OSV JSON)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runVulndbImport(c.Context(), o, g, args) },
	}
	imp.Flags().StringArrayVar(&o.ecosystems, "ecosystem", nil, "import only this ecosystem's advisories (PyPI, Debian...); repeatable")
	status := &cobra.Command{
		Use:   "status",
		Short: "List the imported advisories per ecosystem, with source and age",
		Long: `List, per ecosystem, how many advisories the catalog holds, the export they
came from (path and sha256) and when it was imported.

Exit codes: 0 success (also when nothing was imported), 2 no lockstep home.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error { return runVulndbStatus(c.Context(), g) },
	}
	c.AddCommand(imp, status)
	return c
}

func runVulndbImport(ctx context.Context, o vulndbOptions, g *globalOptions, exports []string) error {
	h, done, err := g.openHomeToWrite(ctx, false)
	if err != nil {
		return err
	}
	defer done()
	p := newPrinter(g)
	var all []*osv.Imported
	for _, path := range exports {
		p.status("reading %s", path)
		ex, err := osv.ReadExport(path)
		if err != nil {
			return &usageError{err}
		}
		im, err := osv.Import(ctx, h.Catalog, ex, o.ecosystems, time.Now())
		if err != nil {
			return &usageError{err}
		}
		all = append(all, im)
		for _, e := range im.Ecosystems {
			p.result("%s imported %d %s advisories from %s (%s)", p.paint(green, "✓"), e.Advisories, e.Ecosystem, e.Source, e.Digest.Short())
		}
		if im.Withdrawn > 0 {
			p.result("  %d withdrawn advisories left out", im.Withdrawn)
		}
		for _, u := range im.Undecidable {
			p.result("  %s kept, but lockstep cannot evaluate it: audit-deps reports it as undecided", u)
		}
		for _, b := range im.BadVectors {
			p.result("  %s: kept, rated from its other scores, its database's rating or unknown", b)
		}
		if n := len(im.Skipped); n > 0 {
			p.info("%d entries of %s are not usable OSV advisories and were skipped:", n, path)
			for i, s := range im.Skipped {
				if i == 10 {
					p.info("  … and %d more (lockstep vulndb import --json lists them all)", n-10)
					break
				}
				p.info("  %s", s)
			}
		}
	}
	if g.json {
		return p.json(all)
	}
	return nil
}

func runVulndbStatus(ctx context.Context, g *globalOptions) error {
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	ims, err := h.Catalog.AdvisoryImports(ctx)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		return p.json(ims)
	}
	if len(ims) == 0 {
		p.result("no advisories imported (lockstep vulndb import PyPI-all.zip)")
		return nil
	}
	for _, im := range ims {
		p.result("%-10s %7d advisories  imported %s (%s ago)  from %s %s", im.Ecosystem, im.Advisories,
			im.Imported.Local().Format(time.RFC3339), time.Since(im.Imported).Round(time.Minute), im.Source, im.Digest.Short())
	}
	return nil
}
