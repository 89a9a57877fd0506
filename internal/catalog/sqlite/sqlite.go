package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/sqldb"
)

// Scheme is the URL scheme of this implementation: "sqlite://PATH".
const Scheme = "sqlite"

// busyTimeoutMillis is how long SQLite itself waits for a lock before a
// statement reports SQLITE_BUSY; the catalog then backs off and tries
// again.
const busyTimeoutMillis = 10000

// Catalog is an open SQLite catalog database: the shared implementation
// in catalog/sqldb on an SQLite file. It is safe for concurrent use by many
// goroutines; several processes may open the same file at once.
type Catalog struct {
	*sqldb.Catalog
	path string
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
	return open(ctx, path, 0)
}

// open opens the catalog at path and applies the migrations up to version
// upTo, all if 0 (tests make older databases with it).
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
	if err := setWAL(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", abs, err)
	}
	sc, err := sqldb.Open(ctx, db, dialect{}, sqldb.Options{Name: abs, SerialWrites: true, UpTo: upTo})
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", abs, err)
	}
	return &Catalog{Catalog: sc, path: abs}, nil
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

// setWAL switches the file to WAL, a persistent setting that needs a
// brief exclusive lock, waiting while another process holds the file.
func setWAL(ctx context.Context, db *sql.DB) error {
	var mode string
	var err error
	deadline := time.Now().Add(2 * time.Minute)
	for backoff := 5 * time.Millisecond; ; backoff = min(2*backoff, 500*time.Millisecond) {
		err = db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		if !isBusy(err) || ctx.Err() != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(backoff)
	}
	switch {
	case sqliteCode(err) == sqliteNotADB:
		return fmt.Errorf("%w; move the file aside and rebuild the catalog from the store", err)
	case err != nil:
		return fmt.Errorf("set WAL mode: %w", err)
	case mode != "wal":
		return fmt.Errorf("journal mode is %q, want wal (is the file on a file system without shared memory?)", mode)
	}
	return nil
}

// Path returns the absolute path of the database file.
func (c *Catalog) Path() string { return c.path }
