package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
)

// Dialect is what differs between the databases the catalog runs on. Every
// query the catalog sends is written once, in the SQL both SQLite and
// PostgreSQL accept ($N placeholders, INSERT ... ON CONFLICT upserts,
// plain types); only these differ.
type Dialect interface {
	// Retryable reports whether a transaction that failed with err is worth
	// running again from the start (the database was busy, a serialization
	// failure or deadlock, the connection was lost), and if so says what
	// was wrong in a few words for the error given up with: "stayed locked
	// by another process", "was unreachable".
	Retryable(err error) (why string, again bool)
	// HasTable reports whether table name exists: the schema
	// introspection each database does its own way.
	HasTable(ctx context.Context, tx *sql.Tx, name string) (bool, error)
	// LockSchema makes the migration transaction tx the only one of its
	// kind until it ends, across processes, so that processes opening a
	// fresh database at once apply each migration exactly once. A
	// database whose write transactions already exclude each other does
	// nothing.
	LockSchema(ctx context.Context, tx *sql.Tx) error
}

// Options say how a Catalog uses its database.
type Options struct {
	// Name is how messages name the database: a path or a redacted URL.
	Name string
	// MaxWait is how long retryable errors are retried before the call
	// fails (2 minutes if zero).
	MaxWait time.Duration
	// SerialWrites lets one write transaction of this process run at a
	// time, so goroutines queue fairly in the process rather than poll a
	// database that admits one writer (SQLite).
	SerialWrites bool
	// UpTo is the newest migration to apply (0: all); tests make older
	// databases with it.
	UpTo int
}

// Catalog is the catalog on a database/sql database. It is safe for use by
// many goroutines; several processes may open one database at once.
type Catalog struct {
	db        *sql.DB
	dialect   Dialect
	name      string
	maxWait   time.Duration
	writeSlot chan struct{} // nil unless Options.SerialWrites
}

var _ catalog.Catalog = (*Catalog)(nil)

// Open serves the catalog from db, applying the schema migrations it
// lacks. It fails with catalog.ErrNewerSchema for a database a newer
// lockstep migrated. The Catalog owns db from then on, and closes it on
// error too.
func Open(ctx context.Context, db *sql.DB, d Dialect, opts Options) (*Catalog, error) {
	c := &Catalog{db: db, dialect: d, name: opts.Name, maxWait: opts.MaxWait}
	if c.maxWait <= 0 {
		c.maxWait = 2 * time.Minute
	}
	if opts.SerialWrites {
		c.writeSlot = make(chan struct{}, 1)
	}
	upTo := opts.UpTo
	if upTo <= 0 {
		upTo = int(^uint(0) >> 1)
	}
	if err := c.migrate(ctx, upTo); err != nil {
		db.Close()
		return nil, err
	}
	return c, nil
}

// DB is the database the catalog uses, for tests that look where the API
// cannot.
func (c *Catalog) DB() *sql.DB { return c.db }

// SchemaVersion is the newest migration the database has applied.
func (c *Catalog) SchemaVersion(ctx context.Context) (int, error) {
	return c.schemaVersion(ctx, int(^uint(0)>>1))
}

// Close implements catalog.Catalog.
func (c *Catalog) Close() error {
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("close catalog %s: %w", c.name, err)
	}
	return nil
}
