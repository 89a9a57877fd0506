package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"lockstep.dev/lockstep/internal/catalog"
)

// Scheme is the URL scheme of this implementation: "sqlite://PATH".
const Scheme = "sqlite"

// busyTimeoutMillis is how long SQLite itself waits for a lock before a
// statement reports SQLITE_BUSY; retryBusy then backs off and tries again.
const busyTimeoutMillis = 10000

// Catalog is an open SQLite catalog database. It is safe for concurrent
// use by many goroutines; several processes may open the same file at once.
type Catalog struct {
	db   *sql.DB
	path string
	// writeSlot lets one write transaction of this process run at a time, so
	// goroutines queue fairly here instead of polling SQLite's file lock.
	writeSlot chan struct{}
}

var _ catalog.Catalog = (*Catalog)(nil)

// OpenURL opens the catalog at "sqlite://PATH", the form catalog.OpenURL
// hands it: everything after "sqlite://" is the file's path, taken
// literally ("sqlite:///abs/catalog.db", "sqlite://rel/catalog.db").
func OpenURL(ctx context.Context, location string) (catalog.Catalog, error) {
	path, ok := strings.CutPrefix(location, Scheme+"://")
	if !ok || path == "" {
		return nil, fmt.Errorf("open catalog %s: want %s://PATH", location, Scheme)
	}
	c, err := Open(ctx, path)
	if err != nil {
		return nil, err // not a nil *Catalog in a non-nil interface
	}
	return c, nil
}

// Open opens the SQLite catalog at path, creating the file and its parent
// directory if needed, and applies any pending schema migrations. It sets
// WAL mode, a 10 s busy timeout, foreign keys and synchronous=NORMAL.
// Opening a database written by a newer lockstep fails with
// catalog.ErrNewerSchema.
func Open(ctx context.Context, path string) (*Catalog, error) {
	return open(ctx, path, math.MaxInt)
}

// open opens the catalog at path and applies the migrations up to version
// upTo (tests make older databases with it).
func open(ctx context.Context, path string, upTo int) (*Catalog, error) {
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
	if err := c.setup(ctx, upTo); err != nil {
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
// exclusive lock, hence the retry) and migrates the schema up to version
// upTo.
func (c *Catalog) setup(ctx context.Context, upTo int) error {
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
	return c.migrate(ctx, upTo)
}

// Path returns the absolute path of the database file.
func (c *Catalog) Path() string { return c.path }

// Close implements catalog.Catalog.
func (c *Catalog) Close() error {
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("close catalog %s: %w", c.path, err)
	}
	return nil
}
