package query

import (
	"context"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// RunListing is one run in a listing of runs (`lockstep runs --json`).
type RunListing struct {
	ID       string    `json:"id"`
	Flow     string    `json:"flow"`
	Status   string    `json:"status"`
	Error    string    `json:"error,omitempty"`
	Started  time.Time `json:"started"`
	Duration float64   `json:"duration_seconds"` // 0 while running
	// Record names the stored run record; "" while the run has none.
	Record core.Digest `json:"record,omitempty"`
	// Outputs maps STEP.OUTPUT to the output's digest.
	Outputs map[string]core.Digest `json:"outputs"`
}

// Runs lists the newest limit runs (all when limit <= 0), newest first,
// with their outputs, from the catalog alone in one query.
func Runs(ctx context.Context, cat catalog.Catalog, limit int) ([]RunListing, error) {
	rows, err := cat.RunsWithOutputs(ctx, limit)
	if err != nil {
		return nil, err
	}
	list := make([]RunListing, 0, len(rows))
	for _, r := range rows {
		l := RunListing{ID: r.ID, Flow: r.Flow, Status: r.Status, Error: r.Error, Started: r.Started, Record: r.Record,
			Outputs: map[string]core.Digest{}}
		if !r.Finished.IsZero() {
			l.Duration = r.Finished.Sub(r.Started).Seconds()
		}
		for step, outs := range r.Outputs {
			for name, d := range outs {
				l.Outputs[step+"."+name] = d
			}
		}
		list = append(list, l)
	}
	return list, nil
}
