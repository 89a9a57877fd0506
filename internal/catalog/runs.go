package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// RunRow is the catalog's view of one run.
type RunRow struct {
	ID     string
	Flow   string
	Status string // core.StatusRunning, StatusSucceeded, StatusFailed or StatusAborted
	Error  string
	// Record is the digest of the run record object; "" while running.
	Record   core.Digest
	Started  time.Time
	Finished time.Time // zero while running
	Host     string
	PID      int // process that runs it on Host; 0 when rebuilt from a record
	Code     core.Digest
	Seed     int64
	// ResumedFrom is the id of the failed run this one resumes, or "".
	ResumedFrom string
}

// runColumns lists the runs columns in the order scanRun reads them.
const runColumns = "id, flow, status, error, record, started, finished, host, pid, code, seed, resumed_from"

// scanRun reads one row selected with runColumns.
func scanRun(s scanner) (RunRow, error) {
	var r RunRow
	var started, finished sql.NullInt64
	err := s.Scan(&r.ID, &r.Flow, &r.Status, &r.Error, &r.Record, &started, &finished,
		&r.Host, &r.PID, &r.Code, &r.Seed, &r.ResumedFrom)
	r.Started, r.Finished = fromNanos(started), fromNanos(finished)
	return r, err
}

// BeginRun inserts run r with status running, ignoring r.Status, r.Record
// and r.Finished. It fails with ErrRunExists if the id is taken.
func (c *Catalog) BeginRun(ctx context.Context, r RunRow) error {
	if r.ID == "" || r.Started.IsZero() {
		return fmt.Errorf("begin run %q: id and start time are required", r.ID)
	}
	if err := errors.Join(checkTime("start time", r.Started), checkDigest("code", r.Code, true)); err != nil {
		return fmt.Errorf("begin run %s: %w", r.ID, err)
	}
	err := c.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO runs (`+runColumns+`)
			VALUES ($1, $2, $3, '', '', $4, NULL, $5, $6, $7, $8, $9)
			ON CONFLICT (id) DO NOTHING`,
			r.ID, r.Flow, core.StatusRunning, nanos(r.Started), r.Host, r.PID, r.Code, r.Seed, r.ResumedFrom)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(ErrRunExists, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("begin run %s: %w", r.ID, err)
	}
	return nil
}

// FinishRun inserts or updates the run described by its final record rec,
// stored as recDigest. It keeps the PID BeginRun wrote. A rebuild calls it
// for every run record in the store.
func (c *Catalog) FinishRun(ctx context.Context, rec *core.RunRecord, recDigest core.Digest) error {
	if rec == nil || rec.ID == "" || rec.Started.IsZero() {
		return fmt.Errorf("finish run: record without id or start time")
	}
	err := errors.Join(checkDigest("record digest", recDigest, false), checkDigest("code", rec.Code, true),
		checkTime("start time", rec.Started), checkTime("finish time", rec.Finished))
	if err != nil {
		return fmt.Errorf("finish run %s: %w", rec.ID, err)
	}
	err = c.write(ctx, func(tx *sql.Tx) error {
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

// SetRunStatus records a run's outcome without a record, e.g. when it is
// found aborted. A zero finished time leaves the run unfinished. It fails
// with ErrNotFound if there is no such run.
func (c *Catalog) SetRunStatus(ctx context.Context, id, status, errMsg string, finished time.Time) error {
	if err := checkTime("finish time", finished); err != nil {
		return fmt.Errorf("set status of run %s: %w", id, err)
	}
	err := c.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE runs SET status = $2, error = $3, finished = $4 WHERE id = $1",
			id, status, errMsg, nanos(finished))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(ErrNotFound, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set status of run %s: %w", id, err)
	}
	return nil
}

// Run returns the run with exactly this id, or an error wrapping ErrNotFound.
func (c *Catalog) Run(ctx context.Context, id string) (*RunRow, error) {
	var r RunRow
	err := retryBusy(ctx, func() error {
		var err error
		r, err = scanRun(c.db.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs WHERE id = $1", id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	return &r, nil
}

// Runs returns the newest limit runs, newest first; all runs if limit <= 0.
func (c *Catalog) Runs(ctx context.Context, limit int) ([]RunRow, error) {
	q := "SELECT " + runColumns + " FROM runs ORDER BY started DESC, id DESC"
	args := []any{}
	if limit > 0 {
		q += " LIMIT $1"
		args = append(args, limit)
	}
	rows, err := c.queryRuns(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return rows, nil
}

// RunningRuns returns every run whose status is running, oldest first.
// Whether its process still lives (by Host and PID) is for the caller to
// decide.
func (c *Catalog) RunningRuns(ctx context.Context) ([]RunRow, error) {
	rows, err := c.queryRuns(ctx, "SELECT "+runColumns+" FROM runs WHERE status = $1 ORDER BY started, id",
		core.StatusRunning)
	if err != nil {
		return nil, fmt.Errorf("list running runs: %w", err)
	}
	return rows, nil
}

// queryRuns runs a SELECT of runColumns and collects the rows.
func (c *Catalog) queryRuns(ctx context.Context, q string, args ...any) ([]RunRow, error) {
	var out []RunRow
	err := retryBusy(ctx, func() error {
		out = out[:0]
		rows, err := c.db.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRun(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}
