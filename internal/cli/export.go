package cli

import (
	"context"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/evidence"
	"lockstep.dev/lockstep/internal/evidence/oci"
	"lockstep.dev/lockstep/internal/query"
)

func newExportCommand(g *globalOptions) *cobra.Command {
	var ociLayout bool
	c := &cobra.Command{
		Use:   "export RUN DEST [--oci-layout]",
		Short: "Lay out a run's bundles and the artifacts they cover for offline verification",
		Long: `Write a run's evidence to DEST, a new folder, for verification anywhere:
  provenance.sigstore.json      the run's signed SLSA provenance (Sigstore bundle v0.3)
  artifacts/STEP/OUTPUT         every output (files, and model folders with their model.sig)
  records/run.json, records/tasks/STEP.json   the run and task records
  trusted_root.json             an empty Sigstore trusted root, for cosign offline
  VERIFY.md                     the cosign and lockstep commands that verify them

With --oci-layout, DEST is an OCI image layout instead: every output as a
model artifact tagged STEP.OUTPUT, its evidence attached, as ` + "`lockstep push`" + `
lays them out in a registry. ` + "`lockstep verify oci-layout://DEST:STEP.OUTPUT`" + `
checks one offline; ` + "`oras cp --from-oci-layout DEST:STEP.OUTPUT REGISTRY/REPO:TAG`" + `
copies it, referrers included, into an air-gapped registry.

Exit codes: 0 success, 1 the store lacks an object, 2 bad usage or DEST exists.`,
		Example: `  lockstep export last evidence/
  lockstep export last model-layout --oci-layout && lockstep verify oci-layout://model-layout:train.model --key builder.pub`,
		Args: exactArgs(2, "RUN and DEST"),
		RunE: func(c *cobra.Command, args []string) error {
			return runExport(c.Context(), g, args[0], args[1], ociLayout)
		},
	}
	c.Flags().BoolVar(&ociLayout, "oci-layout", false, "write an OCI image layout: every output a model artifact tagged STEP.OUTPUT, evidence attached")
	return c
}

func runExport(ctx context.Context, g *globalOptions, ref, dest string, ociLayout bool) error {
	if _, err := os.Lstat(dest); err == nil {
		return usageErrorf("%s already exists: choose a new destination", dest)
	}
	h, err := g.openHome(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	run, err := query.LoadRun(ctx, h.Store, h.Catalog, ref)
	if err != nil {
		return err
	}
	rec := run.Record
	var outputs []core.Artifact
	for _, t := range run.Tasks {
		for _, a := range t.Outputs {
			outputs = append(outputs, a)
		}
	}
	if err := g.checkRead(ctx, h, outputs...); err != nil {
		return err
	}
	p := newPrinter(g)
	if ociLayout {
		if err := oci.ExportRun(ctx, h.Store, h.Catalog, rec, run.Tasks, dest); err != nil {
			return err
		}
		if g.json {
			return p.json(map[string]string{"run": rec.ID, "dest": dest, "format": "oci-layout"})
		}
		p.result("exported run %s to the OCI image layout %s (tags STEP.OUTPUT; verify with lockstep verify %s:STEP.OUTPUT --key KEY.pub)", rec.ID, dest, oci.LayoutScheme+dest)
		return nil
	}
	if err := evidence.ExportToFolder(ctx, h.Store, h.Catalog, rec, run.Tasks, dest); err != nil {
		return err
	}
	if g.json {
		return p.json(map[string]string{"run": rec.ID, "dest": dest})
	}
	p.result("exported run %s to %s (see %s)", rec.ID, dest, filepath.Join(dest, "VERIFY.md"))
	return nil
}
