// Package catalog is lockstep's queryable index of what the store holds:
// runs, tasks and their outputs, cache keys, canonical names and
// attestations by subject digest.
//
// The catalog is an index, never the source of truth. Every row can be
// rebuilt from the records in the store with the same Put methods the
// engine uses while it runs: Reset empties the tables, then FinishRun,
// PutTask, BindName and PutAttestation fill them again, in any order.
//
// The embedded implementation is SQLite (modernc.org/sqlite, pure Go) in
// WAL mode. The schema lives in numbered SQL files under migrations/ and
// uses plain types (TEXT, INTEGER, BIGINT) and $N placeholders so that a
// PostgreSQL implementation can apply the same files and queries. Times
// are stored as Unix nanoseconds in UTC; NULL means "not yet".
//
// Concurrency: several lockstep processes may write one catalog at the same
// time. Every write is one short transaction started with BEGIN IMMEDIATE;
// a busy or locked database is waited for (busy_timeout) and retried with
// backoff, so callers never see SQLITE_BUSY. A Catalog is safe for use by
// many goroutines.
package catalog
