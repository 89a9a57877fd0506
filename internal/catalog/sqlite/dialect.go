package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"modernc.org/sqlite"
)

// SQLite primary result codes: busy and locked mean "another connection
// holds a lock"; not-a-db means the file is not an SQLite database.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
	sqliteNotADB = 26
)

// dialect is what SQLite does its own way; the catalog's queries are
// shared with PostgreSQL in catalog/sqldb.
type dialect struct{}

// Retryable implements sqldb.Dialect: SQLITE_BUSY and SQLITE_LOCKED (any
// extended variant) mean another connection holds the lock, which
// busy_timeout already waited for; trying again outlasts a long writer.
func (dialect) Retryable(err error) (string, bool) {
	return "stayed locked by another process", isBusy(err)
}

// HasTable implements sqldb.Dialect with sqlite_master.
func (dialect) HasTable(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1", name).Scan(&n)
	return n > 0, err
}

// LockSchema implements sqldb.Dialect: every write transaction starts with
// BEGIN IMMEDIATE, which already excludes all other writers.
func (dialect) LockSchema(context.Context, *sql.Tx) error { return nil }

// isBusy reports whether err is SQLITE_BUSY or SQLITE_LOCKED.
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
