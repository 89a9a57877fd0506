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
	out, err := c.queryAttestations(ctx, "WHERE subject = $1", string(subject))
	if err != nil {
		return nil, fmt.Errorf("attestations of %s: %w", subject, err)
	}
	return out, nil
}

// RunAttestations implements catalog.Catalog.
func (c *Catalog) RunAttestations(ctx context.Context, runID string) ([]catalog.AttestationRow, error) {
	out, err := c.queryAttestations(ctx, "WHERE run = $1", runID)
	if err != nil {
		return nil, fmt.Errorf("attestations of run %s: %w", runID, err)
	}
	return out, nil
}

// AllAttestations implements catalog.Catalog.
func (c *Catalog) AllAttestations(ctx context.Context) ([]catalog.AttestationRow, error) {
	out, err := c.queryAttestations(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list attestations: %w", err)
	}
	return out, nil
}

// queryAttestations selects the attestations that where (a constant
// clause, never user input) picks with args.
func (c *Catalog) queryAttestations(ctx context.Context, where string, args ...any) ([]catalog.AttestationRow, error) {
	var out []catalog.AttestationRow
	err := c.retry(ctx, func() error {
		out = out[:0]
		rows, err := c.db.QueryContext(ctx, "SELECT "+attestationColumns+" FROM attestations "+where+
			" ORDER BY COALESCE(created, 0), bundle, subject", args...)
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
