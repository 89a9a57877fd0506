package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// AttestationRow indexes one subject of a stored attestation bundle.
// A bundle whose statement names several subjects has one row per subject.
type AttestationRow struct {
	// Bundle is the digest of the Sigstore bundle object in the store.
	Bundle core.Digest
	// Subject is the digest the statement is about.
	Subject       core.Digest
	SubjectName   string
	PredicateType string
	// Run is the id of the run the attestation belongs to, or "".
	Run string
	// Signer is the fingerprint of the signing key, or "" if unsigned.
	Signer  string
	Created time.Time
}

// attestationColumns lists the attestation columns in the order
// queryAttestations reads them.
const attestationColumns = "bundle, subject, subject_name, predicate_type, run, signer, created"

// PutAttestation indexes a. Putting the same (bundle, subject) again does
// nothing.
func (c *Catalog) PutAttestation(ctx context.Context, a AttestationRow) error {
	err := errors.Join(checkDigest("bundle", a.Bundle, false), checkDigest("subject", a.Subject, false),
		checkTime("created", a.Created))
	if a.PredicateType == "" {
		err = errors.Join(err, errors.New("predicate type is required"))
	}
	if err != nil {
		return fmt.Errorf("put attestation %s: %w", a.Bundle, err)
	}
	err = c.write(ctx, func(tx *sql.Tx) error {
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

// Attestations returns the attestations about subject, oldest first.
func (c *Catalog) Attestations(ctx context.Context, subject core.Digest) ([]AttestationRow, error) {
	out, err := c.queryAttestations(ctx, "subject", string(subject))
	if err != nil {
		return nil, fmt.Errorf("attestations of %s: %w", subject, err)
	}
	return out, nil
}

// RunAttestations returns the attestations of run runID, oldest first.
func (c *Catalog) RunAttestations(ctx context.Context, runID string) ([]AttestationRow, error) {
	out, err := c.queryAttestations(ctx, "run", runID)
	if err != nil {
		return nil, fmt.Errorf("attestations of run %s: %w", runID, err)
	}
	return out, nil
}

// queryAttestations selects the attestations whose column (a constant
// column name, never user input) equals value.
func (c *Catalog) queryAttestations(ctx context.Context, column, value string) ([]AttestationRow, error) {
	var out []AttestationRow
	err := retryBusy(ctx, func() error {
		out = out[:0]
		rows, err := c.db.QueryContext(ctx, "SELECT "+attestationColumns+" FROM attestations WHERE "+column+
			" = $1 ORDER BY COALESCE(created, 0), bundle, subject", value)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a AttestationRow
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
