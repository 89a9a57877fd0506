package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// CheckImportAdvisories validates the input of ImportAdvisories: each
// import names an ecosystem once, with a source, digest and time; each
// row belongs to one of them and has a package, id, modified time and data.
func CheckImportAdvisories(imports []AdvisoryImport, rows []AdvisoryRow) error {
	if len(imports) == 0 {
		return errors.New("import advisories: no ecosystem given")
	}
	ecos := map[string]bool{}
	var err error
	for _, im := range imports {
		switch {
		case im.Ecosystem == "" || im.Source == "":
			err = errors.Join(err, fmt.Errorf("import of %q from %q: ecosystem and source are required", im.Ecosystem, im.Source))
		case ecos[im.Ecosystem]:
			err = errors.Join(err, fmt.Errorf("ecosystem %s imported twice at once", im.Ecosystem))
		case im.Imported.IsZero() || im.Advisories < 0:
			err = errors.Join(err, fmt.Errorf("import of %s: an import time and an advisory count are required", im.Ecosystem))
		}
		err = errors.Join(err, checkDigest("import digest", im.Digest, false), checkTime("imported", im.Imported))
		ecos[im.Ecosystem] = true
	}
	for _, r := range rows {
		switch {
		case !ecos[r.Ecosystem]:
			err = errors.Join(err, fmt.Errorf("advisory %s: ecosystem %q is not one being imported", r.ID, r.Ecosystem))
		case r.Package == "" || r.ID == "" || len(r.Data) == 0 || r.Modified.IsZero():
			err = errors.Join(err, fmt.Errorf("advisory %q of %s package %q: id, package, modified time and data are required", r.ID, r.Ecosystem, r.Package))
		}
		err = errors.Join(err, checkTime("modified", r.Modified))
		if err != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("import advisories: %w", err)
	}
	return nil
}

// CheckPutAudit validates the input of PutAudit.
func CheckPutAudit(a AuditRow) error {
	err := errors.Join(checkDigest("report", a.Report, false), checkTime("created", a.Created))
	if a.Run == "" {
		err = errors.Join(err, errors.New("run is required"))
	}
	if a.Created.IsZero() {
		err = errors.Join(err, errors.New("created time is required"))
	}
	if err != nil {
		return fmt.Errorf("put audit %s of run %q: %w", a.Report, a.Run, err)
	}
	return nil
}

// SortAdvisories sorts rows by package, then id, the order Advisories
// returns (SQL collations differ, so implementations sort in Go).
func SortAdvisories(rows []AdvisoryRow) {
	slices.SortFunc(rows, func(a, b AdvisoryRow) int {
		return cmp.Or(strings.Compare(a.Package, b.Package), strings.Compare(a.ID, b.ID))
	})
}
