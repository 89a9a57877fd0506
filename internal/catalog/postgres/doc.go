// Package postgres is the catalog for a team: a PostgreSQL database
// reached through pgx, named by a libpq URL,
// "postgres://USER@HOST[:PORT]/DATABASE[?sslmode=...]" (or
// "postgresql://..."). It implements catalog.Catalog with the shared
// queries and migrations of catalog/sqldb and passes catalog/catalogtest;
// what PostgreSQL does its own way (schema introspection, serialising
// migrations, which errors to retry) is in dialect.go.
//
// Credentials never go in the URL lockstep keeps: libpq's environment
// gives them (PGPASSWORD, PGPASSFILE or ~/.pgpass, PGSERVICE, PGSSLCERT...),
// as for psql.
//
// Concurrency: many processes on many hosts write one database at once.
// Every write is one short READ COMMITTED transaction of idempotent
// statements (upserts); a transaction that fails with a serialization
// failure or deadlock, or because the server restarted or the connection
// was cut, runs again from the start, for up to MaxWait, and then fails
// with one line saying the database was unavailable. A write whose commit
// was in flight when the connection broke is recognised when it is
// retried, so it is neither lost nor applied twice.
package postgres
