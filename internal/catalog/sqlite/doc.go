// Package sqlite is the embedded catalog: an SQLite file (modernc.org/sqlite,
// pure Go) in WAL mode, by default HOME/catalog.db. It implements
// catalog.Catalog with the shared queries and migrations of catalog/sqldb
// and passes catalog/catalogtest; its URL is "sqlite://PATH", and a bare
// path means the same. What SQLite does its own way is in dialect.go.
//
// Concurrency: every write is one short transaction started with BEGIN
// IMMEDIATE, one at a time per process; a busy or locked database is waited
// for (busy_timeout) and retried with backoff, so callers never see
// SQLITE_BUSY.
package sqlite
