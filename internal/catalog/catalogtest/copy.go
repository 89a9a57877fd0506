package catalogtest

import (
	"context"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// Fill writes into c a catalog of every kind of row: a succeeded run with
// two tasks and an attestation, a failed one, one still running with a
// task, one found aborted, a dataset name with metadata, a model name
// without, an attestation of no run, and a dependency audit of the
// succeeded run.
func Fill(t testing.TB, c catalog.Catalog) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, status := range []string{core.StatusSucceeded, core.StatusFailed} {
		id := []string{"ok", "failed"}[i]
		must(c.BeginRun(ctx, catalog.RunRow{ID: id, Flow: "housing", Started: At(i * 100), Host: "laptop", PID: 40 + i, Code: Digest("code " + id), Seed: 7}))
		for j, step := range []string{"prepare", "train"} {
			st := core.StatusSucceeded
			if status == core.StatusFailed && step == "train" {
				st = core.StatusFailed
			}
			must(c.PutTask(ctx, TaskRecord(id, step, i*100+j, st, Digest(id+step+"key"), "out", "metrics"), Digest(id+step)))
		}
		rec := RunRecord(id, i*100, status)
		rec.Host, rec.Code, rec.Seed = "laptop", Digest("code "+id), 7
		must(c.FinishRun(ctx, rec, Digest("record "+id)))
	}
	must(c.BeginRun(ctx, catalog.RunRow{ID: "running", Flow: "housing", Started: At(300), Host: "laptop", PID: 99}))
	must(c.PutTask(ctx, TaskRecord("running", "prepare", 300, core.StatusSucceeded, "", "out"), Digest("running prepare")))
	must(c.BeginRun(ctx, catalog.RunRow{ID: "aborted", Flow: "housing", Started: At(400), Host: "laptop", PID: 98}))
	must(c.SetRunStatus(ctx, "aborted", core.StatusAborted, "interrupted", At(401)))
	must(c.BindName(ctx, "dataset", "housing@2017", Digest("tree"), Digest("bom")))
	must(c.BindName(ctx, "model", "price@1", Digest("model"), ""))
	must(c.PutAttestation(ctx, attestation("prov", "okmodel", "ok", 60)))
	bom := attestation("bom bundle", "tree", "", 0)
	bom.Created = time.Time{}
	must(c.PutAttestation(ctx, bom))
	must(c.PutAudit(ctx, catalog.AuditRow{Run: "ok", Report: Digest("audit ok"), Created: At(70)}))
}

// Filled is how many rows of each kind Fill writes.
var Filled = catalog.CopyReport{
	Runs: catalog.CopyCount{Copied: 4}, Tasks: catalog.CopyCount{Copied: 5},
	Names: catalog.CopyCount{Copied: 2}, Attestations: catalog.CopyCount{Copied: 2},
	Audits: catalog.CopyCount{Copied: 1},
}
