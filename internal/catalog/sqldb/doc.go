// Package sqldb is the catalog on a database/sql database, written once
// for every SQL database lockstep runs on: catalog/sqlite (the embedded
// default) and catalog/postgres (a team's server) are thin packages that
// open a connection and hand this package a Dialect.
//
// The schema lives in numbered SQL files under migrations/, applied in
// order when a database is opened, each in its own transaction that first
// re-checks the version, so processes opening a fresh database at once
// apply each exactly once; a released file is never edited
// (testdata/migrations.golden holds their digests). The files and the
// queries use what SQLite and PostgreSQL both accept: plain types (TEXT,
// INTEGER, BIGINT), $N placeholders and INSERT ... ON CONFLICT upserts.
// Times are stored as Unix nanoseconds in UTC; NULL means "not yet".
//
// What differs is the Dialect's: which errors mean "run the transaction
// again" (SQLITE_BUSY; serialization failures, deadlocks and a lost
// connection on PostgreSQL), how to ask whether a table exists, and how
// migrations exclude each other. Every write is one short transaction
// of statements that may be applied again, retried from the start on such
// errors; a call fails only after Options.MaxWait, with one line saying
// why it waited.
package sqldb
