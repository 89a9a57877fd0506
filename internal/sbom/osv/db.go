package osv

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
)

// Imported says what Import stored, per ecosystem, and what it left out.
type Imported struct {
	Source     string                   `json:"source"`
	Ecosystems []catalog.AdvisoryImport `json:"ecosystems"`
	// Withdrawn counts advisories left out because they were withdrawn.
	Withdrawn int `json:"withdrawn"`
	// Skipped lists the entries the export held that are not usable OSV
	// advisories, with why.
	Skipped []string `json:"skipped,omitempty"`
	// Undecidable lists advisories kept whose ranges Audit cannot evaluate
	// (an unknown range type): they are reported when they name an
	// installed package.
	Undecidable []string `json:"undecidable,omitempty"`
	// BadVectors lists the CVSS vectors of advisories kept that do not
	// parse, each naming the advisory and the field: such an advisory is
	// rated from its other scores, its database's rating, or unknown.
	BadVectors []string `json:"bad_vectors,omitempty"`
}

// Import stores the advisories of ex in the catalog, replacing the
// advisories of each ecosystem it holds (restricted to only, when not
// empty), with the export's source, digest and the time now recorded.
// Withdrawn advisories are left out.
func Import(ctx context.Context, cat catalog.Catalog, ex *Export, only []string, now time.Time) (*Imported, error) {
	out, rows, err := ex.rows(only, now)
	if err != nil {
		return nil, err
	}
	if err := cat.ImportAdvisories(ctx, out.Ecosystems, rows); err != nil {
		return nil, err
	}
	return out, nil
}

// rows turns the export into the catalog's rows: one per advisory and
// affected package, and one import per ecosystem.
func (ex *Export) rows(only []string, now time.Time) (*Imported, []catalog.AdvisoryRow, error) {
	out := &Imported{Source: ex.Source, Skipped: ex.Skipped}
	counts := map[string]int{}
	var rows []catalog.AdvisoryRow
	for _, a := range ex.Advisories {
		if !a.Withdrawn.IsZero() {
			out.Withdrawn++
			continue
		}
		data, err := json.Marshal(a)
		if err != nil {
			return nil, nil, fmt.Errorf("advisory %s: %w", a.ID, err)
		}
		seen, ecos, before := map[[2]string]bool{}, map[string]bool{}, len(rows)
		for _, af := range a.Affected {
			eco := BaseEcosystem(af.Package.Ecosystem)
			key := [2]string{eco, NormalizeName(eco, af.Package.Name)}
			if (len(only) > 0 && !slices.Contains(only, eco)) || seen[key] {
				continue
			}
			if !ecos[eco] {
				ecos[eco] = true
				counts[eco]++
			}
			seen[key] = true
			rows = append(rows, catalog.AdvisoryRow{Ecosystem: eco, Package: key[1], ID: a.ID, Modified: a.Modified, Data: data})
			for _, r := range af.Ranges {
				if !knownRange(r.Type) {
					out.Undecidable = append(out.Undecidable, fmt.Sprintf("%s: range type %q", a.ID, cleanText(r.Type)))
				}
			}
		}
		if len(rows) > before {
			out.BadVectors = append(out.BadVectors, a.BadVectors()...)
		}
	}
	for _, eco := range only {
		if counts[eco] == 0 {
			return nil, nil, fmt.Errorf("osv export %s holds no %s advisories", ex.Source, eco)
		}
	}
	if len(counts) == 0 {
		return nil, nil, fmt.Errorf("osv export %s holds no advisories (%d entries skipped): not an OSV export?", ex.Source, len(ex.Skipped))
	}
	for eco, n := range counts {
		out.Ecosystems = append(out.Ecosystems, catalog.AdvisoryImport{Ecosystem: eco, Source: ex.Source, Digest: ex.Digest,
			Imported: now.UTC(), Advisories: n})
	}
	sort.Slice(out.Ecosystems, func(i, j int) bool { return out.Ecosystems[i].Ecosystem < out.Ecosystems[j].Ecosystem })
	slices.Sort(out.Undecidable)
	out.Undecidable = slices.Compact(out.Undecidable)
	return out, rows, nil
}

// Source is where Audit reads advisories: the catalog, or an export read
// for one audit (Export.AsSource).
type Source interface {
	// AdvisoryImports and Advisories are as catalog.Catalog's.
	AdvisoryImports(ctx context.Context) ([]catalog.AdvisoryImport, error)
	Advisories(ctx context.Context, ecosystem string, packages []string) ([]catalog.AdvisoryRow, error)
}

// AsSource returns the export as a Source of advisories, as if imported at
// time now, without touching the catalog.
func (ex *Export) AsSource(now time.Time) (Source, *Imported, error) {
	im, rows, err := ex.rows(nil, now)
	if err != nil {
		return nil, nil, err
	}
	m := &memorySource{imports: im.Ecosystems, rows: map[[2]string][]catalog.AdvisoryRow{}}
	for _, r := range rows {
		k := [2]string{r.Ecosystem, r.Package}
		m.rows[k] = append(m.rows[k], r)
	}
	return m, im, nil
}

// memorySource holds an export's rows by ecosystem and package.
type memorySource struct {
	imports []catalog.AdvisoryImport
	rows    map[[2]string][]catalog.AdvisoryRow
}

func (m *memorySource) AdvisoryImports(context.Context) ([]catalog.AdvisoryImport, error) {
	return m.imports, nil
}

func (m *memorySource) Advisories(_ context.Context, eco string, pkgs []string) ([]catalog.AdvisoryRow, error) {
	var out []catalog.AdvisoryRow
	for _, p := range pkgs {
		out = append(out, m.rows[[2]string{eco, p}]...)
	}
	catalog.SortAdvisories(out)
	return out, nil
}

// knownRange reports whether Audit evaluates ranges of type t.
func knownRange(t string) bool { return t == RangeEcosystem || t == RangeSemVer || t == RangeGit }

// BaseEcosystem is an OSV ecosystem without its release: "Debian:12" is
// "Debian".
func BaseEcosystem(eco string) string {
	base, _, _ := strings.Cut(eco, ":")
	return base
}

var pep503Runs = regexp.MustCompile(`[-_.]+`)

// NormalizeName is a package name as ecosystem compares names: PyPI's by
// PEP 503 (lower case, runs of - _ . as one -), others as written.
func NormalizeName(ecosystem, name string) string {
	if BaseEcosystem(ecosystem) == "PyPI" {
		return pep503Runs.ReplaceAllString(strings.ToLower(name), "-")
	}
	return name
}
