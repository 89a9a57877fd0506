package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrNotFound is wrapped when a run, name or other row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNameTaken is wrapped when a canonical name is already bound to
	// another digest: names are immutable.
	ErrNameTaken = errors.New("name already bound")
	// ErrRunExists is wrapped by BeginRun when the run id is already used.
	ErrRunExists = errors.New("run id already used")
	// ErrAmbiguous is wrapped by ResolveRun when a prefix matches several runs.
	ErrAmbiguous = errors.New("ambiguous run prefix")
	// ErrNewerSchema is wrapped by Open when the database was migrated by a
	// newer lockstep than this one.
	ErrNewerSchema = errors.New("catalog schema is newer than this lockstep")
)

// busyTimeoutMillis is how long SQLite itself waits for a lock before a
// statement reports SQLITE_BUSY; retryBusy then backs off and tries again.
const busyTimeoutMillis = 10000

// Catalog is an open catalog database. It is safe for concurrent use by
// many goroutines; several processes may open the same file at once.
type Catalog struct {
	db   *sql.DB
	path string
	// writeSlot lets one write transaction of this process run at a time, so
	// goroutines queue fairly here instead of polling SQLite's file lock.
	writeSlot chan struct{}
}

// Open opens the SQLite catalog at path, creating the file and its parent
// directory if needed, and applies any pending schema migrations. It sets
// WAL mode, a 10 s busy timeout, foreign keys and synchronous=NORMAL.
// Opening a database written by a newer lockstep fails with ErrNewerSchema.
func Open(ctx context.Context, path string) (*Catalog, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", abs, err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", abs, err)
	}
	c := &Catalog{db: db, path: abs, writeSlot: make(chan struct{}, 1)}
	if err := c.setup(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", abs, err)
	}
	return c, nil
}

// dsn builds the modernc.org/sqlite data source name for the file at abs.
// The per-connection settings are DSN parameters so every pooled
// connection gets them; _txlock=immediate makes every write transaction
// take the write lock at BEGIN, where waiting for it is safe.
func dsn(abs string) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeoutMillis))
	q.Set("_foreign_keys", "1")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String()
}

// setup switches the file to WAL (a persistent setting that needs a brief
// exclusive lock, hence the retry) and migrates the schema.
func (c *Catalog) setup(ctx context.Context) error {
	err := retryBusy(ctx, func() error {
		var mode string
		if err := c.db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
			return err
		}
		if mode != "wal" {
			return fmt.Errorf("journal mode is %q, want wal (is the file on a file system without shared memory?)", mode)
		}
		return nil
	})
	if sqliteCode(err) == sqliteNotADB {
		return fmt.Errorf("%w; move the file aside and rebuild the catalog from the store", err)
	}
	if err != nil {
		return fmt.Errorf("set WAL mode: %w", err)
	}
	return c.migrate(ctx)
}

// Path returns the absolute path of the database file.
func (c *Catalog) Path() string { return c.path }

// Close closes the database. Writes already returned are durable.
func (c *Catalog) Close() error {
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("close catalog %s: %w", c.path, err)
	}
	return nil
}
