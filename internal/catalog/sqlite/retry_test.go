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

func TestRetryBusyOutlastsALockHolder(t *testing.T) {
	c := OpenTemp(t)
	ctx := context.Background()
	release := holdWriteLock(t, c)
	// A connection that does not wait at all reports SQLITE_BUSY at once.
	impatient, err := sql.Open("sqlite", "file:"+c.Path()+"?_busy_timeout=0&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	attempts := 0
	begin := func() error {
		attempts++
		tx, err := impatient.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		return tx.Rollback()
	}
	if err := begin(); !isBusy(err) {
		t.Fatalf("BEGIN IMMEDIATE while another connection writes: err = %v, want SQLITE_BUSY", err)
	}
	time.AfterFunc(100*time.Millisecond, release)
	if err := retryBusy(ctx, begin); err != nil {
		t.Fatalf("retryBusy: %v", err)
	}
	if attempts < 3 {
		t.Errorf("BEGIN succeeded after %d attempts; the lock should have forced retries", attempts)
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

func TestRetryBusyStopsWithContext(t *testing.T) {
	c := OpenTemp(t)
	release := holdWriteLock(t, c)
	defer release()
	impatient, err := sql.Open("sqlite", "file:"+c.Path()+"?_busy_timeout=0&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err = retryBusy(ctx, func() error {
		tx, err := impatient.BeginTx(context.Background(), nil)
		if err == nil {
			tx.Rollback()
		}
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestIsBusyIgnoresOtherErrors(t *testing.T) {
	c := OpenTemp(t)
	_, err := c.db.Exec("SELECT * FROM no_such_table")
	for _, err := range []error{nil, errors.New("database is locked"), sql.ErrNoRows, err} {
		if isBusy(err) {
			t.Errorf("isBusy(%v) = true", err)
		}
	}
}
