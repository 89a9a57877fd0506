package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// query is one SQL statement with its arguments.
type query struct {
	text string
	args []any
}

// Roots implements catalog.Catalog.
func (c *Catalog) Roots(ctx context.Context, keepLast int) ([]core.Digest, error) {
	seen := map[core.Digest]bool{}
	collect := func(tx *sql.Tx, q string, args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d core.Digest
			if err := rows.Scan(&d); err != nil {
				return err
			}
			if d != "" {
				seen[d] = true
			}
		}
		return rows.Err()
	}
	err := c.read(ctx, func(tx *sql.Tx) error {
		clear(seen)
		kept := "SELECT id, record FROM runs"
		args := []any{}
		if keepLast > 0 {
			kept = `SELECT id, record FROM runs WHERE status = $1
				UNION SELECT id, record FROM (SELECT id, record FROM runs WHERE status <> $1
					ORDER BY started DESC, id DESC LIMIT $2) newest`
			args = append(args, core.StatusRunning, keepLast)
		}
		queries := []query{
			{"SELECT record FROM (" + kept + ") kept", args},
			{"SELECT t.record FROM tasks t JOIN (" + kept + ") kept ON kept.id = t.run WHERE kept.record = ''", args},
			{"SELECT digest FROM names", nil},
			{"SELECT meta FROM names", nil},
			{"SELECT bundle FROM attestations", nil},
			{"SELECT report FROM dependency_audits", nil},
		}
		if keepLast <= 0 {
			queries = append(queries, query{"SELECT record FROM tasks WHERE run NOT IN (SELECT id FROM runs)", nil})
		}
		for _, q := range queries {
			if err := collect(tx, q.text, q.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list gc roots: %w", err)
	}
	out := make([]core.Digest, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// Reset implements catalog.Catalog.
func (c *Catalog) Reset(ctx context.Context) error {
	err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
		for _, table := range []string{"task_outputs", "tasks", "runs", "names", "attestations", "dependency_audits"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
				return fmt.Errorf("empty %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reset catalog %s: %w", c.name, err)
	}
	return nil
}

// DeleteRun implements catalog.Catalog.
func (c *Catalog) DeleteRun(ctx context.Context, id string) error {
	err := c.write(ctx, func(tx *sql.Tx, again bool) error {
		var total int64
		for _, q := range []string{
			"DELETE FROM task_outputs WHERE run = $1",
			"DELETE FROM tasks WHERE run = $1",
			"DELETE FROM attestations WHERE run = $1",
			"DELETE FROM dependency_audits WHERE run = $1",
			"DELETE FROM runs WHERE id = $1",
		} {
			res, err := tx.ExecContext(ctx, q, id)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += n
		}
		if total == 0 && !again { // again: the deletion committed before the connection was lost
			return catalog.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete run %s: %w", id, err)
	}
	return nil
}
