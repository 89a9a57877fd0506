package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// PutTask implements catalog.Catalog.
func (c *Catalog) PutTask(ctx context.Context, rec *core.TaskRecord, recDigest core.Digest) error {
	if err := catalog.CheckPutTask(rec, recDigest); err != nil {
		return err
	}
	names := make([]string, 0, len(rec.Outputs))
	for name := range rec.Outputs {
		names = append(names, name)
	}
	sort.Strings(names)
	err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tasks
			(run, step, status, record, cache_key, exit_code, started, finished)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (run, step) DO UPDATE SET status = excluded.status, record = excluded.record,
				cache_key = excluded.cache_key, exit_code = excluded.exit_code,
				started = excluded.started, finished = excluded.finished`,
			rec.Run, rec.Step, rec.Status, recDigest, rec.CacheKey, rec.ExitCode,
			nanos(rec.Started), nanos(rec.Finished))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM task_outputs WHERE run = $1 AND step = $2", rec.Run, rec.Step)
		if err != nil {
			return err
		}
		for _, name := range names {
			_, err := tx.ExecContext(ctx, "INSERT INTO task_outputs (run, step, name, digest) VALUES ($1, $2, $3, $4)",
				rec.Run, rec.Step, name, rec.Outputs[name].Digest)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put task %s/%s: %w", rec.Run, rec.Step, err)
	}
	return nil
}

// Tasks implements catalog.Catalog.
func (c *Catalog) Tasks(ctx context.Context, runID string) ([]catalog.TaskRow, error) {
	var out []catalog.TaskRow
	err := c.retry(ctx, func() error {
		out = out[:0]
		rows, err := c.db.QueryContext(ctx, `SELECT t.step, t.status, t.record, t.cache_key, t.exit_code,
				t.started, t.finished, o.name, o.digest
			FROM tasks t LEFT JOIN task_outputs o ON o.run = t.run AND o.step = t.step
			WHERE t.run = $1
			ORDER BY COALESCE(t.started, $2), t.step, o.name`, runID, int64(1)<<62)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t := catalog.TaskRow{Run: runID}
			var started, finished sql.NullInt64
			var output, digest sql.NullString
			err := rows.Scan(&t.Step, &t.Status, &t.Record, &t.CacheKey, &t.ExitCode,
				&started, &finished, &output, &digest)
			if err != nil {
				return err
			}
			if len(out) == 0 || out[len(out)-1].Step != t.Step {
				t.Started, t.Finished = fromNanos(started), fromNanos(finished)
				t.Outputs = map[string]core.Digest{}
				out = append(out, t)
			}
			if output.Valid {
				out[len(out)-1].Outputs[output.String] = core.Digest(digest.String)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list tasks of run %s: %w", runID, err)
	}
	return out, nil
}

// CacheLookup implements catalog.Catalog.
func (c *Catalog) CacheLookup(ctx context.Context, key core.Digest) (core.Digest, bool, error) {
	if key == "" {
		return "", false, nil
	}
	var rec core.Digest
	err := c.retry(ctx, func() error {
		return c.db.QueryRowContext(ctx, `SELECT record FROM tasks
			WHERE cache_key = $1 AND status = $2
			ORDER BY COALESCE(finished, 0) DESC, COALESCE(started, 0) DESC, record DESC LIMIT 1`,
			key, core.StatusSucceeded).Scan(&rec)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("cache lookup %s: %w", key, err)
	}
	return rec, true, nil
}
