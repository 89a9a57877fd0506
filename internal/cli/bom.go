package cli

import (
	"context"
	"encoding/json"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/spf13/cobra"

	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/provenance"
	"lockstep.dev/lockstep/internal/query"
)

func newBOMCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "bom RUN",
		Short: "CycloneDX ML-BOM of a run's models: datasets they were trained on, attestations",
		Long: `Write the CycloneDX 1.6 ML-BOM of a run's models: one machine-learning-model
component per model output (declared kind: model, named "model", or holding a
weights file), with its files and a model card listing the datasets it was
trained on (directly or through earlier steps); each dataset as a data
component with its digest, BOM and classification; and the run's provenance
and model signatures as attestation references, and the CycloneDX SBOM of the
environment each model was made in (lockstep sbom) as a "bom" reference with
its sha256. When the run was audited
(lockstep audit-deps), the newest audit's advisories are the BOM's
vulnerabilities. RUN is an id, a unique
prefix or "last". Text mode summarises; --json prints the BOM.

Exit codes: 0 success, 2 unknown run or no lockstep home.`,
		Example: `  lockstep bom last --json > model.cdx.json`,
		Args:    exactArgs(1, "one RUN (an id, a unique prefix or last)"),
		RunE:    func(c *cobra.Command, args []string) error { return runBOM(c.Context(), g, args[0]) },
	}
}

func runBOM(ctx context.Context, g *globalOptions, ref string) error {
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
	bom, auditDigest, err := provenance.MLBOM(ctx, h.Store, h.Catalog, rec, run.Tasks)
	if err != nil {
		return err
	}
	p := newPrinter(g)
	if g.json {
		b, err := dataset.EncodeBOM(bom)
		if err != nil {
			return err
		}
		return p.json(json.RawMessage(b))
	}
	if bom.Components == nil {
		p.result("run %s produced no models (no output declared kind: model, named model, or holding weights)", rec.ID)
		return nil
	}
	for _, c := range *bom.Components {
		switch {
		case c.ModelCard != nil || c.Type == "machine-learning-model":
			p.result("model    %s", c.Name)
			if c.ModelCard != nil && c.ModelCard.ModelParameters != nil && c.ModelCard.ModelParameters.Datasets != nil {
				for _, d := range *c.ModelCard.ModelParameters.Datasets {
					p.result("  trained on %s", d.Ref)
				}
			}
			if c.ExternalReferences != nil {
				for _, r := range *c.ExternalReferences {
					if r.Type == cdx.ERTypeBOM && r.Hashes != nil && len(*r.Hashes) > 0 {
						p.result("  made in    environment SBOM sha256:%s (lockstep sbom %s)", (*r.Hashes)[0].Value, rec.ID)
						continue
					}
					p.result("  attested   %s (%s)", r.URL, r.Comment)
				}
			}
		default:
			p.result("dataset  %s@%s", c.Name, c.Version)
		}
	}
	if bom.Vulnerabilities != nil {
		p.result("vulnerabilities %d advisories affect the run's packages (dependency audit %s)", len(*bom.Vulnerabilities), auditDigest.Short())
	}
	p.info("The CycloneDX document: lockstep bom %s --json", rec.ID)
	return nil
}
