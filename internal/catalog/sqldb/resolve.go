package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"unicode/utf8"

	"lockstep.dev/lockstep/internal/catalog"
)

// ResolveRun implements catalog.Catalog.
func (c *Catalog) ResolveRun(ctx context.Context, ref string) (string, error) {
	return catalog.PickRun(ref, func() ([]string, error) {
		var ids []string
		err := c.read(ctx, func(tx *sql.Tx) error {
			var err error
			ids, err = matchRuns(ctx, tx, ref)
			return err
		})
		return ids, err
	})
}

// matchRuns returns the id ref names exactly (one), else the newest
// catalog.MaxCandidates+1 ids starting with ref.
func matchRuns(ctx context.Context, tx *sql.Tx, ref string) ([]string, error) {
	var id string
	if ref == catalog.LastRun {
		err := tx.QueryRowContext(ctx, "SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT 1").Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return []string{id}, err
	}
	err := tx.QueryRowContext(ctx, "SELECT id FROM runs WHERE id = $1", ref).Scan(&id)
	if err == nil {
		return []string{id}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	// substr compares exactly (LIKE would treat '_' and '%' as wildcards and,
	// in SQLite, ignore case).
	rows, err := tx.QueryContext(ctx,
		"SELECT id FROM runs WHERE substr(id, 1, $2) = $1 ORDER BY started DESC, id DESC LIMIT $3",
		ref, utf8.RuneCountInString(ref), catalog.MaxCandidates+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
