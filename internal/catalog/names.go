package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"lockstep.dev/lockstep/internal/core"
)

// NameRow is one canonical name binding, such as dataset "housing@2017"
// bound to a tree digest.
type NameRow struct {
	Kind string // what the name is for: "dataset", "model"...
	Name string // canonical name@version
	// Digest is what the name stands for.
	Digest core.Digest
	// Meta is the digest of the binding's metadata object (a bill of
	// materials, say), or "".
	Meta core.Digest
}

// BindName binds the canonical name of the given kind to digest d with
// metadata meta, forever. Binding the same name to the same digest and
// meta again does nothing; any other binding fails with an error wrapping
// ErrNameTaken that shows both.
func (c *Catalog) BindName(ctx context.Context, kind, name string, d core.Digest, meta core.Digest) error {
	if kind == "" || name == "" {
		return fmt.Errorf("bind name %q of kind %q: kind and name are required", name, kind)
	}
	if err := errors.Join(checkDigest("digest", d, false), checkDigest("meta", meta, true)); err != nil {
		return fmt.Errorf("bind %s %s: %w", kind, name, err)
	}
	var old NameRow
	err := c.write(ctx, func(tx *sql.Tx) error {
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
	if old.Digest != d || old.Meta != meta {
		return fmt.Errorf("bind %s %s to %s (meta %s): %w: it is bound to %s (meta %s); versions are immutable, choose a new version",
			kind, name, d, orNone(meta), ErrNameTaken, old.Digest, orNone(old.Meta))
	}
	return nil
}

// orNone shows an empty digest as "none" in messages.
func orNone(d core.Digest) string {
	if d == "" {
		return "none"
	}
	return string(d)
}

// Name returns the digest and metadata digest bound to the canonical name
// of the given kind, or an error wrapping ErrNotFound.
func (c *Catalog) Name(ctx context.Context, kind, name string) (core.Digest, core.Digest, error) {
	var d, meta core.Digest
	err := retryBusy(ctx, func() error {
		return c.db.QueryRowContext(ctx, "SELECT digest, meta FROM names WHERE kind = $1 AND name = $2",
			kind, name).Scan(&d, &meta)
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("%s %s: %w", kind, name, err)
	}
	return d, meta, nil
}

// Names returns the bindings of one kind sorted by name, or of every kind
// (sorted by kind, then name) when kind is "".
func (c *Catalog) Names(ctx context.Context, kind string) ([]NameRow, error) {
	var out []NameRow
	err := retryBusy(ctx, func() error {
		out = out[:0]
		rows, err := c.db.QueryContext(ctx, `SELECT kind, name, digest, meta FROM names
			WHERE kind = $1 OR $1 = '' ORDER BY kind, name`, kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n NameRow
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
