package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// attestationColumns lists the attestation columns in the order
// queryAttestations reads them.
const attestationColumns = "bundle, subject, subject_name, predicate_type, run, signer, created"

// PutAttestation implements catalog.Catalog.
func (c *Catalog) PutAttestation(ctx context.Context, a catalog.AttestationRow) error {
	if err := catalog.CheckPutAttestation(a); err != nil {
		return err
	}
	err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO attestations (`+attestationColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (bundle, subject) DO NOTHING`,
			a.Bundle, a.Subject, a.SubjectName, a.PredicateType, a.Run, a.Signer, nanos(a.Created))
		return err
	})
	if err != nil {
		return fmt.Errorf("put attestation %s: %w", a.Bundle, err)
	}
	return nil
}

// Attestations implements catalog.Catalog.
func (c *Catalog) Attestations(ctx context.Context, subject core.Digest) ([]catalog.AttestationRow, error) {
	out, err := c.queryAttestations(ctx, "subject", string(subject))
	if err != nil {
		return nil, fmt.Errorf("attestations of %s: %w", subject, err)
	}
	return out, nil
}

// RunAttestations implements catalog.Catalog.
func (c *Catalog) RunAttestations(ctx context.Context, runID string) ([]catalog.AttestationRow, error) {
	out, err := c.queryAttestations(ctx, "run", runID)
	if err != nil {
		return nil, fmt.Errorf("attestations of run %s: %w", runID, err)
	}
	return out, nil
}

// queryAttestations selects the attestations whose column (a constant
// column name, never user input) equals value.
func (c *Catalog) queryAttestations(ctx context.Context, column, value string) ([]catalog.AttestationRow, error) {
	var out []catalog.AttestationRow
	err := c.retry(ctx, func() error {
		out = out[:0]
		rows, err := c.db.QueryContext(ctx, "SELECT "+attestationColumns+" FROM attestations WHERE "+column+
			" = $1 ORDER BY COALESCE(created, 0), bundle, subject", value)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a catalog.AttestationRow
			var created sql.NullInt64
			err := rows.Scan(&a.Bundle, &a.Subject, &a.SubjectName, &a.PredicateType, &a.Run, &a.Signer, &created)
			if err != nil {
				return err
			}
			a.Created = fromNanos(created)
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}
