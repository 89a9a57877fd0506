package catalog_test

import (
	"context"
	"errors"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
	"lockstep.dev/lockstep/internal/catalog/sqlite"
)

// verified is the report of a copy of Fill's rows that wrote copied of
// them and skipped the rest.
func verified(copied bool) catalog.CopyReport {
	want := catalogtest.Filled
	for _, n := range []*catalog.CopyCount{&want.Runs, &want.Tasks, &want.Names, &want.Attestations, &want.Audits} {
		n.Verified = n.Copied
		if !copied {
			n.Skipped, n.Copied = n.Copied, 0
		}
	}
	return want
}

func TestCopyCopiesEverythingOnceAndVerifies(t *testing.T) {
	ctx := context.Background()
	from, to := sqlite.OpenTemp(t), sqlite.OpenTemp(t)
	catalogtest.Fill(t, from)
	rep, err := catalog.Copy(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if *rep != verified(true) {
		t.Errorf("first copy: %+v, want %+v", *rep, verified(true))
	}
	// Again: everything is there, nothing is written.
	rep, err = catalog.Copy(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if *rep != verified(false) {
		t.Errorf("second copy: %+v, want %+v", *rep, verified(false))
	}
	// The copy answers what the commands ask the same way.
	for _, c := range []catalog.Catalog{from, to} {
		if id, err := c.ResolveRun(ctx, catalog.LastRun); err != nil || id != "aborted" {
			t.Errorf("last run: %s, %v", id, err)
		}
	}
	fromRoots, _ := from.Roots(ctx, 0)
	toRoots, _ := to.Roots(ctx, 0)
	if len(fromRoots) == 0 || len(fromRoots) != len(toRoots) {
		t.Errorf("gc roots: %d in the source, %d in the copy", len(fromRoots), len(toRoots))
	}
}

// TestCopyResumes copies into a catalog an interrupted copy left: a run
// begun without its tasks, and a name.
func TestCopyResumes(t *testing.T) {
	ctx := context.Background()
	from, to := sqlite.OpenTemp(t), sqlite.OpenTemp(t)
	catalogtest.Fill(t, from)
	ok, err := from.Run(ctx, "ok")
	if err != nil {
		t.Fatal(err)
	}
	if err := to.BeginRun(ctx, *ok); err != nil {
		t.Fatal(err)
	}
	if err := to.BindName(ctx, "model", "price@1", catalogtest.Digest("model"), ""); err != nil {
		t.Fatal(err)
	}
	rep, err := catalog.Copy(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Runs.Copied != 4 || rep.Names.Copied != 1 || rep.Names.Skipped != 1 || rep.Runs.Verified != 4 {
		t.Errorf("resumed copy: %+v", *rep)
	}
	if r, err := to.Run(ctx, "ok"); err != nil || r.Record != ok.Record || r.Status != ok.Status {
		t.Errorf("the half-copied run: %+v, %v", r, err)
	}
}

func TestCopyRefusesANameBoundElsewhere(t *testing.T) {
	ctx := context.Background()
	from, to := sqlite.OpenTemp(t), sqlite.OpenTemp(t)
	catalogtest.Fill(t, from)
	if err := to.BindName(ctx, "dataset", "housing@2017", catalogtest.Digest("another tree"), ""); err != nil {
		t.Fatal(err)
	}
	_, err := catalog.Copy(ctx, from, to)
	if !errors.Is(err, catalog.ErrNameTaken) {
		t.Fatalf("err = %v, want ErrNameTaken", err)
	}
	t.Log(err)
}
