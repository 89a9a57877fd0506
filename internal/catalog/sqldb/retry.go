package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"
)

// Backoff between attempts while the dialect calls an error retryable.
const (
	firstBackoff = 5 * time.Millisecond
	maxBackoff   = 500 * time.Millisecond
)

// retry calls fn until it returns nil or an error the dialect does not
// call retryable, backing off with jitter in between. It gives up when ctx
// is done or after the dialect's MaxWait, with one line that says why it
// waited (another process holds the database, the server is unreachable).
func (c *Catalog) retry(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(c.maxWait)
	backoff := firstBackoff
	for {
		err := fn()
		if err == nil {
			return nil
		}
		why, again := c.dialect.Retryable(err)
		if !again {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("catalog %s %s for over %v: %w", c.name, why, c.maxWait, err)
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
			return fmt.Errorf("catalog %s %s; gave up waiting: %w", c.name, why, ctx.Err())
		case <-time.After(wait):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// write runs fn in one write transaction and commits it. If any step fails
// with a retryable error, the transaction is rolled back and fn runs again
// from the start, so fn must only depend on its arguments. again tells fn
// that an earlier attempt failed while committing, so that attempt's
// changes may already be in the database (a connection lost with the
// commit in flight): fn then takes finding its own work done as success.
// Any other error from fn rolls back and is returned unchanged. With
// Options.SerialWrites, one write transaction of this process runs at a
// time.
func (c *Catalog) write(ctx context.Context, fn func(tx *sql.Tx, again bool) error) error {
	if c.writeSlot != nil {
		select {
		case c.writeSlot <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("waiting for catalog write: %w", ctx.Err())
		}
		defer func() { <-c.writeSlot }()
	}
	again := false
	return c.retry(ctx, func() error {
		tx, err := c.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx, again); err != nil {
			_ = tx.Rollback()
			return err
		}
		err = tx.Commit()
		if err != nil {
			again = true
		}
		return err
	})
}

// read runs fn, read-only queries and their scans, in one read transaction
// so that statements see one snapshot, retried like writes. A
// single-statement read needs no transaction and calls retry on c.db
// directly.
func (c *Catalog) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return c.retry(ctx, func() error {
		tx, err := c.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		return fn(tx)
	})
}
