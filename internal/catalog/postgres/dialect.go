package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// migrationLockKey is the advisory lock that serialises migrations of one
// database across processes: the ASCII of "lockstep" as a 64-bit number.
const migrationLockKey = 0x6c6f636b73746570

// dialect is what PostgreSQL does its own way; the catalog's queries are
// shared with SQLite in catalog/sqldb.
type dialect struct{}

// SQLSTATE codes worth a retry: the transaction lost a race, or the server
// is going away, coming up or unreachable.
var (
	conflictStates    = map[string]bool{"40001": true, "40P01": true} // serialization_failure, deadlock_detected
	unavailableStates = map[string]bool{
		"57P01": true, // admin_shutdown: terminating connection due to administrator command
		"57P02": true, // crash_shutdown
		"57P03": true, // cannot_connect_now: the database system is starting up
		"53300": true, // too_many_connections
	}
)

// Retryable implements sqldb.Dialect: serialization failures and deadlocks
// are retried, as are a server that restarts or cannot be reached and a
// connection cut under a transaction (which PostgreSQL then rolls back).
func (dialect) Retryable(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case conflictStates[pe.Code]:
			return "kept failing on conflicting transactions", true
		case unavailableStates[pe.Code] || strings.HasPrefix(pe.Code, "08"): // connection_exception
			return "was unavailable (server restarting or unreachable)", true
		}
		return "", false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.Is(err, driver.ErrBadConn), errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.As(err, &ne) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled),
		strings.Contains(err.Error(), "conn closed"):
		return "was unavailable (server restarting or unreachable)", true
	}
	return "", false
}

// HasTable implements sqldb.Dialect: to_regclass finds the table on the
// search path, as unqualified queries do.
func (dialect) HasTable(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	var ok bool
	err := tx.QueryRowContext(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&ok)
	return ok, err
}

// LockSchema implements sqldb.Dialect with a transaction-scoped advisory
// lock: concurrent CREATE TABLE of one table would otherwise fail.
func (dialect) LockSchema(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLockKey))
	return err
}
