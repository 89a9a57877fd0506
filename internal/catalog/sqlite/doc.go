// Package sqlite is the embedded catalog: an SQLite file (modernc.org/sqlite,
// pure Go) in WAL mode, by default HOME/catalog.db. It implements
// catalog.Catalog and passes catalog/catalogtest; its URL is
// "sqlite://PATH", and a bare path means the same.
//
// The schema lives in numbered SQL files under migrations/, applied in
// order when a database is opened; a released file is never edited
// (testdata/migrations.golden holds their digests). The files use plain
// types (TEXT, INTEGER, BIGINT) and $N placeholders, as do the queries, so
// that a PostgreSQL implementation can start from them. Times are stored as
// Unix nanoseconds in UTC; NULL means "not yet".
//
// Concurrency: every write is one short transaction started with BEGIN
// IMMEDIATE, one at a time per process; a busy or locked database is waited
// for (busy_timeout) and retried with backoff, so callers never see
// SQLITE_BUSY.
package sqlite
