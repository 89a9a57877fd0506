package maintain

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/lock"
	"lockstep.dev/lockstep/internal/sbom/osv"
	"lockstep.dev/lockstep/internal/store"
)

// RebuildReport says what the rebuilt catalog holds.
type RebuildReport struct {
	Runs         int `json:"runs"`
	Tasks        int `json:"tasks"`
	Datasets     int `json:"datasets"`
	Attestations int `json:"attestations"`
	Audits       int `json:"audits"`
}

// RebuildCatalog empties the catalog and indexes again every run and task
// record found in the store. For a run with several records (a provisional
// one written at start and the final one), the final one wins; a run whose
// only record says "running" was interrupted and is indexed as aborted.
// Dependency audit reports of those runs are indexed again too; the
// imported advisories, which the store does not hold, stay as they were.
// It holds the store lock exclusively, like gc.
func RebuildCatalog(ctx context.Context, st *store.Store, cat catalog.Catalog, l lock.Locker, waiting func()) (*RebuildReport, error) {
	held, err := l.Exclusive(ctx, waiting)
	if err != nil {
		return nil, err
	}
	defer held.Unlock()

	runs := map[string]*core.RunRecord{}
	runDigests := map[string]core.Digest{}
	type taskAt struct {
		rec *core.TaskRecord
		d   core.Digest
	}
	var tasks []taskAt
	var others []core.Digest // BOMs and bundles, indexed after the reset
	var audits []catalog.AuditRow
	err = st.Walk(ctx, func(d core.Digest, size int64) error {
		if size > maxRecordSize || !startsWithBrace(st, d) {
			return nil
		}
		b, err := st.ReadBytes(d)
		if err != nil {
			return nil // check reports unreadable objects
		}
		if isBOMOrBundle(b) {
			others = append(others, d)
			return nil
		}
		switch recordType(b) {
		case core.RunType:
			var r core.RunRecord
			if st.GetJSON(d, &r) == nil && better(&r, runs[r.ID]) {
				runs[r.ID], runDigests[r.ID] = &r, d
			}
		case core.TaskType:
			var t core.TaskRecord
			if st.GetJSON(d, &t) == nil {
				tasks = append(tasks, taskAt{&t, d})
			}
		}
		// A report's canonical JSON puts "type" last, past what
		// recordType looks at.
		if bytes.Contains(b, []byte(`"type":"`+osv.ReportType+`"`)) {
			var a osv.Report
			if json.Unmarshal(b, &a) == nil && a.Type == osv.ReportType && a.Run != "" {
				audits = append(audits, catalog.AuditRow{Run: a.Run, Report: d, Created: a.Created})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk store: %w", err)
	}
	if err := cat.Reset(ctx); err != nil {
		return nil, err
	}
	rep := &RebuildReport{}
	ids := make([]string, 0, len(runs))
	for id := range runs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := runs[id]
		if r.Status == core.StatusRunning {
			r.Status, r.Error = core.StatusAborted, "interrupted (found while rebuilding the catalog)"
		}
		if err := cat.FinishRun(ctx, r, runDigests[id]); err != nil {
			return rep, err
		}
		rep.Runs++
	}
	// The task a run record names wins over other records of the same step.
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].rec.Finished.Before(tasks[j].rec.Finished) })
	for _, t := range tasks {
		r, ok := runs[t.rec.Run]
		if !ok {
			continue
		}
		if named, ok := r.Tasks[t.rec.Step]; ok && named != t.d {
			continue
		}
		if err := cat.PutTask(ctx, t.rec, t.d); err != nil {
			return rep, err
		}
		rep.Tasks++
	}
	for _, a := range audits {
		if _, ok := runs[a.Run]; !ok {
			continue
		}
		if err := cat.PutAudit(ctx, a); err != nil {
			return rep, err
		}
		rep.Audits++
	}
	for _, d := range others {
		if err := reindex(ctx, st, cat, d, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// better reports whether run record a should replace b for the same run.
func better(a, b *core.RunRecord) bool {
	if b == nil {
		return true
	}
	if (a.Status == core.StatusRunning) != (b.Status == core.StatusRunning) {
		return b.Status == core.StatusRunning
	}
	return a.Finished.After(b.Finished)
}
