package catalogtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
)

// advisory is a row of ecosystem about pkg, with JSON data naming it.
func advisory(eco, pkg, id string, sec int) catalog.AdvisoryRow {
	return catalog.AdvisoryRow{Ecosystem: eco, Package: pkg, ID: id, Modified: At(sec),
		Data: []byte(fmt.Sprintf(`{"id":%q,"summary":"é \u0000 <script>"}`, id))}
}

func importOf(eco, source string, sec, n int) catalog.AdvisoryImport {
	return catalog.AdvisoryImport{Ecosystem: eco, Source: source, Digest: Digest(source), Imported: At(sec), Advisories: n}
}

func testImportAdvisories(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	if ims, err := c.AdvisoryImports(ctx); err != nil || len(ims) != 0 {
		t.Fatalf("fresh catalog: imports %v, %v; want none", ims, err)
	}
	pypi := []catalog.AdvisoryRow{advisory("PyPI", "requests", "GHSA-2", 1), advisory("PyPI", "requests", "GHSA-1", 2),
		advisory("PyPI", "urllib3", "PYSEC-1", 3), advisory("PyPI", "evil-pkg", "MAL-1", 4)}
	deb := []catalog.AdvisoryRow{advisory("Debian", "openssl", "DSA-1", 5)}
	if err := c.ImportAdvisories(ctx, []catalog.AdvisoryImport{importOf("PyPI", "pypi.zip", 10, 4), importOf("Debian", "debian.zip", 10, 1)},
		append(slices.Clone(pypi), deb...)); err != nil {
		t.Fatal(err)
	}
	got, err := c.Advisories(ctx, "PyPI", []string{"urllib3", "requests", "numpy"})
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.AdvisoryRow{pypi[1], pypi[0], pypi[2]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Advisories(PyPI, urllib3 requests numpy) =\n%+v\nwant\n%+v", got, want)
	}
	if got, _ := c.Advisories(ctx, "Debian", []string{"requests"}); len(got) != 0 {
		t.Errorf("Debian advisories about requests: %+v", got)
	}
	// A new PyPI snapshot replaces PyPI's advisories and leaves Debian's.
	if err := c.ImportAdvisories(ctx, []catalog.AdvisoryImport{importOf("PyPI", "pypi-2.zip", 20, 1)},
		[]catalog.AdvisoryRow{advisory("PyPI", "urllib3", "PYSEC-2", 6)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Advisories(ctx, "PyPI", []string{"requests", "urllib3", "evil-pkg"}); len(got) != 1 || got[0].ID != "PYSEC-2" {
		t.Errorf("after a second PyPI import: %+v, want only PYSEC-2", got)
	}
	if got, _ := c.Advisories(ctx, "Debian", []string{"openssl"}); len(got) != 1 {
		t.Errorf("a PyPI import dropped Debian's advisories: %+v", got)
	}
	ims, err := c.AdvisoryImports(ctx)
	wantIms := []catalog.AdvisoryImport{importOf("Debian", "debian.zip", 10, 1), importOf("PyPI", "pypi-2.zip", 20, 1)}
	if err != nil || !reflect.DeepEqual(ims, wantIms) {
		t.Errorf("AdvisoryImports = %+v, %v; want %+v", ims, err, wantIms)
	}
	// Many packages at once (more than one SQL batch).
	var rows []catalog.AdvisoryRow
	var names []string
	for i := range 1000 {
		rows = append(rows, advisory("PyPI", fmt.Sprintf("pkg-%04d", i), "GHSA-x", i))
		names = append(names, fmt.Sprintf("pkg-%04d", i))
	}
	if err := c.ImportAdvisories(ctx, []catalog.AdvisoryImport{importOf("PyPI", "big.zip", 30, 1000)}, rows); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Advisories(ctx, "PyPI", names); err != nil || len(got) != 1000 || got[999].Package != "pkg-0999" {
		t.Errorf("1000 packages: %d rows, %v", len(got), err)
	}
}

func testImportAdvisoriesRejectsBadInput(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	good := importOf("PyPI", "pypi.zip", 1, 1)
	for name, tc := range map[string]struct {
		ims  []catalog.AdvisoryImport
		rows []catalog.AdvisoryRow
	}{
		"no import":           {nil, nil},
		"no source":           {[]catalog.AdvisoryImport{{Ecosystem: "PyPI", Digest: Digest("x"), Imported: At(1)}}, nil},
		"bad digest":          {[]catalog.AdvisoryImport{{Ecosystem: "PyPI", Source: "x", Digest: "sha256:1", Imported: At(1)}}, nil},
		"no time":             {[]catalog.AdvisoryImport{{Ecosystem: "PyPI", Source: "x", Digest: Digest("x")}}, nil},
		"twice":               {[]catalog.AdvisoryImport{good, good}, nil},
		"row of other system": {[]catalog.AdvisoryImport{good}, []catalog.AdvisoryRow{advisory("npm", "x", "GHSA-1", 1)}},
		"row without id":      {[]catalog.AdvisoryImport{good}, []catalog.AdvisoryRow{advisory("PyPI", "x", "", 1)}},
		"row without data":    {[]catalog.AdvisoryImport{good}, []catalog.AdvisoryRow{{Ecosystem: "PyPI", Package: "x", ID: "A", Modified: At(1)}}},
	} {
		if err := c.ImportAdvisories(ctx, tc.ims, tc.rows); err == nil {
			t.Errorf("%s: ImportAdvisories succeeded, want an error", name)
		}
	}
	if ims, _ := c.AdvisoryImports(ctx); len(ims) != 0 {
		t.Errorf("rejected imports were recorded: %+v", ims)
	}
}

func testAudits(t *testing.T, c catalog.Catalog) {
	ctx := context.Background()
	fillForGC(t, c)
	a1 := catalog.AuditRow{Run: "f1", Report: Digest("audit 1"), Created: At(100)}
	a2 := catalog.AuditRow{Run: "f1", Report: Digest("audit 2"), Created: At(200)}
	for _, a := range []catalog.AuditRow{a2, a1, a1} {
		if err := c.PutAudit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []catalog.AuditRow{{Run: "", Report: Digest("x"), Created: At(1)}, {Run: "f1", Report: "x", Created: At(1)}, {Run: "f1", Report: Digest("x")}} {
		if err := c.PutAudit(ctx, bad); err == nil {
			t.Errorf("PutAudit(%+v) succeeded, want an error", bad)
		}
	}
	if got, err := c.Audits(ctx, "f1"); err != nil || !reflect.DeepEqual(got, []catalog.AuditRow{a1, a2}) {
		t.Errorf("Audits(f1) = %+v, %v; want a1, a2", got, err)
	}
	roots, _ := c.Roots(ctx, 1)
	if !slices.Contains(roots, a1.Report) || !slices.Contains(roots, a2.Report) {
		t.Error("Roots does not keep the audit reports: gc would delete them")
	}
	if err := c.ImportAdvisories(ctx, []catalog.AdvisoryImport{importOf("PyPI", "pypi.zip", 1, 1)},
		[]catalog.AdvisoryRow{advisory("PyPI", "requests", "GHSA-1", 1)}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRun(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Audits(ctx, "f1"); len(got) != 0 {
		t.Errorf("audits of a deleted run: %+v", got)
	}
	if err := c.PutAudit(ctx, catalog.AuditRow{Run: "f2", Report: Digest("audit 3"), Created: At(1)}); err != nil {
		t.Fatal(err)
	}
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Audits(ctx, "f2"); len(got) != 0 {
		t.Errorf("audits after Reset: %+v", got)
	}
	if got, err := c.Advisories(ctx, "PyPI", []string{"requests"}); err != nil || len(got) != 1 {
		t.Errorf("Reset dropped the imported advisories (the store cannot give them back): %+v, %v", got, err)
	}
	if err := c.PutAudit(ctx, catalog.AuditRow{Run: "f9", Report: Digest("x"), Created: At(1)}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRun(ctx, "f9"); errors.Is(err, catalog.ErrNotFound) {
		t.Error("DeleteRun found nothing to delete, but the run had an audit report")
	}
}
