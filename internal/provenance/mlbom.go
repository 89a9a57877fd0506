package provenance

import (
	"context"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/dataset"
	"lockstep.dev/lockstep/internal/sbom/osv"
	"lockstep.dev/lockstep/internal/store"
)

// MLBOM is the CycloneDX ML-BOM of the run rec, whose task records are
// tasks: its models, the datasets they were trained on, their attestations
// and, when the run's dependencies were audited, the advisories that
// affect them (audit names that audit's record; "" when there was none).
func MLBOM(ctx context.Context, st *store.Store, cat catalog.Catalog, rec *core.RunRecord, tasks map[string]*core.TaskRecord) (bom *cdx.BOM, audit core.Digest, err error) {
	models, err := Models(st, tasks)
	if err != nil {
		return nil, "", err
	}
	bom, err = dataset.RunBOM(ctx, st, cat, rec, tasks, models)
	if err != nil {
		return nil, "", err
	}
	report, audit, err := osv.Latest(ctx, st, cat, rec.ID)
	if err != nil {
		return nil, "", err
	}
	if report != nil {
		osv.AddToBOM(bom, report, audit)
	}
	return bom, audit, nil
}
