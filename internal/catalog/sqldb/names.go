package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// BindName implements catalog.Catalog.
func (c *Catalog) BindName(ctx context.Context, kind, name string, d core.Digest, meta core.Digest) error {
	if err := catalog.CheckBindName(kind, name, d, meta); err != nil {
		return err
	}
	var old catalog.NameRow
	err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO names (kind, name, digest, meta) VALUES ($1, $2, $3, $4)
			ON CONFLICT (kind, name) DO NOTHING`, kind, name, d, meta)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT digest, meta FROM names WHERE kind = $1 AND name = $2",
			kind, name).Scan(&old.Digest, &old.Meta)
	})
	if err != nil {
		return fmt.Errorf("bind %s %s: %w", kind, name, err)
	}
	return catalog.NameTaken(kind, name, d, meta, old)
}

// Name implements catalog.Catalog.
func (c *Catalog) Name(ctx context.Context, kind, name string) (core.Digest, core.Digest, error) {
	var d, meta core.Digest
	err := c.retry(ctx, func() error {
		return c.db.QueryRowContext(ctx, "SELECT digest, meta FROM names WHERE kind = $1 AND name = $2",
			kind, name).Scan(&d, &meta)
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = catalog.ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("%s %s: %w", kind, name, err)
	}
	return d, meta, nil
}

// Names implements catalog.Catalog.
func (c *Catalog) Names(ctx context.Context, kind string) ([]catalog.NameRow, error) {
	var out []catalog.NameRow
	err := c.retry(ctx, func() error {
		out = out[:0]
		rows, err := c.db.QueryContext(ctx, `SELECT kind, name, digest, meta FROM names
			WHERE kind = $1 OR $1 = '' ORDER BY kind, name`, kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n catalog.NameRow
			if err := rows.Scan(&n.Kind, &n.Name, &n.Digest, &n.Meta); err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list names of kind %q: %w", kind, err)
	}
	return out, nil
}
