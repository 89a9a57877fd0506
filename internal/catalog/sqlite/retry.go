package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"modernc.org/sqlite"
)

// SQLite primary result codes: busy and locked mean "another connection
// holds a lock"; not-a-db means the file is not an SQLite database.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
	sqliteNotADB = 26
)

// Backoff between attempts on a busy catalog, on top of SQLite's own
// busy_timeout wait, and the total time after which retryBusy gives up.
const (
	firstBackoff = 5 * time.Millisecond
	maxBackoff   = 500 * time.Millisecond
	maxBusyWait  = 2 * time.Minute
)

// isBusy reports whether err is SQLITE_BUSY or SQLITE_LOCKED (any extended
// variant), which are worth retrying.
func isBusy(err error) bool {
	code := sqliteCode(err)
	return code == sqliteBusy || code == sqliteLocked
}

// sqliteCode returns the primary SQLite result code in err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return 0
	}
	return se.Code() & 0xff
}

// retryBusy calls fn until it returns an error other than busy/locked,
// backing off with jitter in between. It gives up when ctx is done or after
// maxBusyWait, saying that another process holds the catalog.
func retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(maxBusyWait)
	backoff := firstBackoff
	for {
		err := fn()
		if err == nil || !isBusy(err) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("catalog stayed locked by another process for over %v: %w", maxBusyWait, err)
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for catalog lock: %w", ctx.Err())
		case <-time.After(wait):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// write runs fn in one write transaction (BEGIN IMMEDIATE) and commits it.
// If any step reports busy/locked, the transaction is rolled back and fn runs
// again from the start, so fn must only depend on its arguments. Any other
// error from fn rolls back and is returned unchanged.
func (c *Catalog) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case c.writeSlot <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("waiting for catalog write: %w", ctx.Err())
	}
	defer func() { <-c.writeSlot }()
	return retryBusy(ctx, func() error {
		tx, err := c.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
}

// read runs fn, read-only queries and their scans, in one read transaction
// so that statements see one snapshot. Busy/locked errors (rare under WAL)
// are retried like writes. A single-statement read needs no transaction and
// calls retryBusy on c.db directly.
func (c *Catalog) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return retryBusy(ctx, func() error {
		tx, err := c.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		return fn(tx)
	})
}
