package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// runColumns lists the runs columns in the order scanRun reads them.
const runColumns = "id, flow, status, error, record, started, finished, host, pid, code, seed, resumed_from"

// scanRun reads one row selected with runColumns.
func scanRun(s scanner) (catalog.RunRow, error) {
	var r catalog.RunRow
	var started, finished sql.NullInt64
	err := s.Scan(&r.ID, &r.Flow, &r.Status, &r.Error, &r.Record, &started, &finished,
		&r.Host, &r.PID, &r.Code, &r.Seed, &r.ResumedFrom)
	r.Started, r.Finished = fromNanos(started), fromNanos(finished)
	return r, err
}

// BeginRun implements catalog.Catalog.
func (c *Catalog) BeginRun(ctx context.Context, r catalog.RunRow) error {
	if err := catalog.CheckBeginRun(r); err != nil {
		return err
	}
	err := c.write(ctx, func(tx *sql.Tx, again bool) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO runs (`+runColumns+`)
			VALUES ($1, $2, $3, '', '', $4, NULL, $5, $6, $7, $8, $9)
			ON CONFLICT (id) DO NOTHING`,
			r.ID, r.Flow, core.StatusRunning, nanos(r.Started), r.Host, r.PID, r.Code, r.Seed, r.ResumedFrom)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n > 0 {
			return err
		}
		if again && beganBy(ctx, tx, r) {
			return nil // an earlier attempt's commit went through
		}
		return catalog.ErrRunExists
	})
	if err != nil {
		return fmt.Errorf("begin run %s: %w", r.ID, err)
	}
	return nil
}

// beganBy reports whether the row of run r.ID is the one BeginRun(r)
// writes.
func beganBy(ctx context.Context, tx *sql.Tx, r catalog.RunRow) bool {
	got, err := scanRun(tx.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs WHERE id = $1", r.ID))
	return err == nil && got.Status == core.StatusRunning && got.Flow == r.Flow && got.Started.Equal(r.Started) &&
		got.Host == r.Host && got.PID == r.PID && got.Code == r.Code && got.Seed == r.Seed && got.ResumedFrom == r.ResumedFrom
}

// FinishRun implements catalog.Catalog.
func (c *Catalog) FinishRun(ctx context.Context, rec *core.RunRecord, recDigest core.Digest) error {
	if err := catalog.CheckFinishRun(rec, recDigest); err != nil {
		return err
	}
	err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO runs (`+runColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11)
			ON CONFLICT (id) DO UPDATE SET flow = excluded.flow, status = excluded.status,
				error = excluded.error, record = excluded.record, started = excluded.started,
				finished = excluded.finished, host = excluded.host, code = excluded.code,
				seed = excluded.seed, resumed_from = excluded.resumed_from`,
			rec.ID, rec.Flow, rec.Status, rec.Error, recDigest, nanos(rec.Started), nanos(rec.Finished),
			rec.Host, rec.Code, rec.Seed, rec.ResumedFrom)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish run %s: %w", rec.ID, err)
	}
	return nil
}

// SetRunStatus implements catalog.Catalog.
func (c *Catalog) SetRunStatus(ctx context.Context, id, status, errMsg string, finished time.Time) error {
	if err := catalog.CheckSetRunStatus(id, finished); err != nil {
		return err
	}
	err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
		res, err := tx.ExecContext(ctx, "UPDATE runs SET status = $2, error = $3, finished = $4 WHERE id = $1",
			id, status, errMsg, nanos(finished))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(catalog.ErrNotFound, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set status of run %s: %w", id, err)
	}
	return nil
}

// Run implements catalog.Catalog.
func (c *Catalog) Run(ctx context.Context, id string) (*catalog.RunRow, error) {
	var r catalog.RunRow
	err := c.retry(ctx, func() error {
		var err error
		r, err = scanRun(c.db.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs WHERE id = $1", id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = catalog.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	return &r, nil
}

// Runs implements catalog.Catalog.
func (c *Catalog) Runs(ctx context.Context, limit int) ([]catalog.RunRow, error) {
	q, args := newestRuns(limit)
	rows, err := c.queryRuns(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return rows, nil
}

// newestRuns is the query of the newest limit runs (all if limit <= 0),
// newest first, and its arguments.
func newestRuns(limit int) (string, []any) {
	q := "SELECT " + runColumns + " FROM runs ORDER BY started DESC, id DESC"
	if limit <= 0 {
		return q, nil
	}
	return q + " LIMIT $1", []any{limit}
}

// RunningRuns implements catalog.Catalog.
func (c *Catalog) RunningRuns(ctx context.Context) ([]catalog.RunRow, error) {
	rows, err := c.queryRuns(ctx, "SELECT "+runColumns+" FROM runs WHERE status = $1 ORDER BY started, id",
		core.StatusRunning)
	if err != nil {
		return nil, fmt.Errorf("list running runs: %w", err)
	}
	return rows, nil
}

// queryRuns runs a SELECT of runColumns and collects the rows.
func (c *Catalog) queryRuns(ctx context.Context, q string, args ...any) ([]catalog.RunRow, error) {
	var out []catalog.RunRow
	err := c.eachRow(ctx, func() { out = out[:0] }, func(s scanner) error {
		r, err := scanRun(s)
		if err == nil {
			out = append(out, r)
		}
		return err
	}, q, args...)
	return out, err
}

// eachRow runs query q and calls row for each result row, retrying while
// the database is busy; reset is called before every attempt.
func (c *Catalog) eachRow(ctx context.Context, reset func(), row func(scanner) error, q string, args ...any) error {
	return c.retry(ctx, func() error {
		reset()
		rows, err := c.db.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// RunsWithOutputs implements catalog.Catalog: the runs and their task
// outputs come from one join, newest run first.
func (c *Catalog) RunsWithOutputs(ctx context.Context, limit int) ([]catalog.RunOutputs, error) {
	inner, args := newestRuns(limit)
	q := "SELECT " + qualifiedRunColumns + `, o.step, o.name, o.digest
		FROM (` + inner + `) r LEFT JOIN task_outputs o ON o.run = r.id
		ORDER BY r.started DESC, r.id DESC, o.step, o.name`
	var out []catalog.RunOutputs
	err := c.eachRow(ctx, func() { out = out[:0] }, func(s scanner) error {
		var step, name, digest sql.NullString
		r, err := scanRun(withTail{s, []any{&step, &name, &digest}})
		if err != nil {
			return err
		}
		if len(out) == 0 || out[len(out)-1].ID != r.ID {
			out = append(out, catalog.RunOutputs{RunRow: r, Outputs: map[string]map[string]core.Digest{}})
		}
		if step.Valid {
			outs := out[len(out)-1].Outputs
			if outs[step.String] == nil {
				outs[step.String] = map[string]core.Digest{}
			}
			outs[step.String][name.String] = core.Digest(digest.String)
		}
		return nil
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs with outputs: %w", err)
	}
	return out, nil
}

// qualifiedRunColumns is runColumns with each column taken from table r.
var qualifiedRunColumns = "r." + strings.ReplaceAll(runColumns, ", ", ", r.")

// withTail is a scanner that scans extra columns after the ones its caller
// asks for.
type withTail struct {
	s    scanner
	tail []any
}

// Scan implements scanner.
func (w withTail) Scan(dest ...any) error { return w.s.Scan(append(dest, w.tail...)...) }
