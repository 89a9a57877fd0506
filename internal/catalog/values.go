package catalog

import (
	"database/sql"
	"fmt"
	"time"

	"lockstep.dev/lockstep/internal/core"
)

// nanos encodes t for a BIGINT column: Unix nanoseconds, NULL for the zero
// time ("not yet").
func nanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

// fromNanos decodes a column written by nanos, in UTC.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// checkTime rejects times that Unix nanoseconds cannot hold (before 1678
// or after 2262); the zero time is allowed and means "not yet".
func checkTime(field string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.Year(); y < 1678 || y > 2261 {
		return fmt.Errorf("%s %s is out of range (years 1678 to 2261)", field, t.Format(time.RFC3339))
	}
	return nil
}

// checkDigest rejects a malformed digest in field; when optional, "" is
// allowed and means none.
func checkDigest(field string, d core.Digest, optional bool) error {
	if d == "" && optional {
		return nil
	}
	if !d.Valid() {
		return fmt.Errorf("%s %q is not a digest (want sha256:<64 hex digits>)", field, d)
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}
