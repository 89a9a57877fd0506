package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"lockstep.dev/lockstep/internal/catalog"
)

// advisoryBatch is how many advisory rows one INSERT carries: 5 columns
// each, far below PostgreSQL's 65,535 parameters.
const advisoryBatch = 50

// ImportAdvisories implements catalog.Catalog.
func (c *Catalog) ImportAdvisories(ctx context.Context, imports []catalog.AdvisoryImport, rows []catalog.AdvisoryRow) error {
	if err := catalog.CheckImportAdvisories(imports, rows); err != nil {
		return err
	}
	err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
		for _, im := range imports {
			if _, err := tx.ExecContext(ctx, "DELETE FROM advisories WHERE ecosystem = $1", im.Ecosystem); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO advisory_imports (ecosystem, source, digest, imported, advisories)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ecosystem) DO UPDATE SET source = excluded.source,
				digest = excluded.digest, imported = excluded.imported, advisories = excluded.advisories`,
				im.Ecosystem, im.Source, im.Digest, nanos(im.Imported), im.Advisories); err != nil {
				return err
			}
		}
		for start := 0; start < len(rows); start += advisoryBatch {
			batch := rows[start:min(start+advisoryBatch, len(rows))]
			var q strings.Builder
			q.WriteString("INSERT INTO advisories (ecosystem, package, id, modified, data) VALUES ")
			args := make([]any, 0, 5*len(batch))
			for i, r := range batch {
				if i > 0 {
					q.WriteString(", ")
				}
				n := 5 * i
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
				args = append(args, r.Ecosystem, r.Package, r.ID, nanos(r.Modified), string(r.Data))
			}
			q.WriteString(" ON CONFLICT (ecosystem, package, id) DO UPDATE SET modified = excluded.modified, data = excluded.data")
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import advisories: %w", err)
	}
	return nil
}

// AdvisoryImports implements catalog.Catalog.
func (c *Catalog) AdvisoryImports(ctx context.Context) ([]catalog.AdvisoryImport, error) {
	var out []catalog.AdvisoryImport
	err := c.retry(ctx, func() error {
		out = out[:0]
		rows, err := c.db.QueryContext(ctx, `SELECT ecosystem, source, digest, imported, advisories
			FROM advisory_imports ORDER BY ecosystem`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var im catalog.AdvisoryImport
			var imported sql.NullInt64
			if err := rows.Scan(&im.Ecosystem, &im.Source, &im.Digest, &imported, &im.Advisories); err != nil {
				return err
			}
			im.Imported = fromNanos(imported)
			out = append(out, im)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list advisory imports: %w", err)
	}
	return out, nil
}

// Advisories implements catalog.Catalog.
func (c *Catalog) Advisories(ctx context.Context, ecosystem string, packages []string) ([]catalog.AdvisoryRow, error) {
	var out []catalog.AdvisoryRow
	err := c.read(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		for start := 0; start < len(packages); start += advisoryBatch {
			batch := packages[start:min(start+advisoryBatch, len(packages))]
			args := []any{ecosystem}
			marks := make([]string, len(batch))
			for i, p := range batch {
				args = append(args, p)
				marks[i] = fmt.Sprintf("$%d", i+2)
			}
			rows, err := tx.QueryContext(ctx, `SELECT ecosystem, package, id, modified, data FROM advisories
				WHERE ecosystem = $1 AND package IN (`+strings.Join(marks, ", ")+`)`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r catalog.AdvisoryRow
				var modified sql.NullInt64
				var data string
				if err := rows.Scan(&r.Ecosystem, &r.Package, &r.ID, &modified, &data); err != nil {
					rows.Close()
					return err
				}
				r.Modified, r.Data = fromNanos(modified), []byte(data)
				out = append(out, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("advisories of %s packages: %w", ecosystem, err)
	}
	catalog.SortAdvisories(out)
	return out, nil
}

// PutAudit implements catalog.Catalog.
func (c *Catalog) PutAudit(ctx context.Context, a catalog.AuditRow) error {
	if err := catalog.CheckPutAudit(a); err != nil {
		return err
	}
	err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO dependency_audits (run, report, created) VALUES ($1, $2, $3)
			ON CONFLICT (run, report) DO NOTHING`, a.Run, a.Report, nanos(a.Created))
		return err
	})
	if err != nil {
		return fmt.Errorf("put audit %s of run %s: %w", a.Report, a.Run, err)
	}
	return nil
}

// Audits implements catalog.Catalog.
func (c *Catalog) Audits(ctx context.Context, runID string) ([]catalog.AuditRow, error) {
	var out []catalog.AuditRow
	err := c.retry(ctx, func() error {
		out = out[:0]
		rows, err := c.db.QueryContext(ctx, `SELECT run, report, created FROM dependency_audits
			WHERE run = $1 ORDER BY created, report`, runID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a catalog.AuditRow
			var created sql.NullInt64
			if err := rows.Scan(&a.Run, &a.Report, &created); err != nil {
				return err
			}
			a.Created = fromNanos(created)
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("audits of run %s: %w", runID, err)
	}
	return out, nil
}
