package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/catalogtest"
)

// holdWriteLock takes the catalog's write lock from another connection and
// returns a function that releases it.
func holdWriteLock(t *testing.T, c *Catalog) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", dsn(c.Path()))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := other.BeginTx(context.Background(), nil) // BEGIN IMMEDIATE
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		tx.Rollback()
		other.Close()
	}
}

func TestBusyIsRetryable(t *testing.T) {
	c := OpenTemp(t)
	release := holdWriteLock(t, c)
	defer release()
	// A connection that does not wait at all reports SQLITE_BUSY at once.
	impatient, err := sql.Open("sqlite", "file:"+c.Path()+"?_busy_timeout=0&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	_, err = impatient.BeginTx(context.Background(), nil)
	if why, again := (dialect{}).Retryable(err); !again || why == "" {
		t.Fatalf("BEGIN IMMEDIATE while another connection writes: err = %v, retryable %v, want SQLITE_BUSY", err, again)
	}
}

func TestWriteWaitsForALockHolder(t *testing.T) {
	c := OpenTemp(t)
	release := holdWriteLock(t, c)
	time.AfterFunc(200*time.Millisecond, release)
	if err := c.BeginRun(context.Background(), catalog.RunRow{ID: "r1", Started: catalogtest.At(0)}); err != nil {
		t.Fatalf("BeginRun while another process writes: %v", err)
	}
}

func TestWriteStopsWithContext(t *testing.T) {
	c := OpenTemp(t)
	release := holdWriteLock(t, c)
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.BeginRun(ctx, catalog.RunRow{ID: "r1", Started: catalogtest.At(0)})
	if err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("BeginRun while the lock is held and the context ends: err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("BeginRun gave up after %v, long after its context ended", d)
	}
}

func TestOtherErrorsAreNotRetried(t *testing.T) {
	c := OpenTemp(t)
	_, err := c.DB().Exec("SELECT * FROM no_such_table")
	for _, err := range []error{nil, errors.New("database is locked"), sql.ErrNoRows, err} {
		if _, again := (dialect{}).Retryable(err); again {
			t.Errorf("Retryable(%v) = true", err)
		}
	}
}
