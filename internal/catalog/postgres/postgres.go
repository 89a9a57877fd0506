package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/catalog/sqldb"
)

// Scheme is the URL scheme of this implementation; "postgresql" is the
// other spelling libpq accepts.
const (
	Scheme    = "postgres"
	AltScheme = "postgresql"
)

// MaxWait is how long a call waits for an unavailable database (a server
// restarting, a connection cut) before it fails.
const MaxWait = 30 * time.Second

// connectTimeout bounds each connection attempt when the URL sets none.
const connectTimeout = 10 * time.Second

// Catalog is an open PostgreSQL catalog: the shared implementation in
// catalog/sqldb on a pgx connection pool. It is safe for concurrent use by
// many goroutines, processes and hosts.
type Catalog struct {
	*sqldb.Catalog
	url string
}

var _ catalog.Catalog = (*Catalog)(nil)

// OpenURL opens the catalog at a postgres:// URL, the form catalog.OpenURL
// hands it.
func OpenURL(ctx context.Context, location string) (catalog.Catalog, error) {
	c, err := Open(ctx, location)
	if err != nil {
		return nil, err // not a nil *Catalog in a non-nil interface
	}
	return c, nil
}

// Open connects to the database at url (libpq's URL form; libpq's
// environment variables fill in what it leaves out, credentials included),
// checks that it answers, and applies any pending schema migrations.
// A database written by a newer lockstep fails with
// catalog.ErrNewerSchema.
func Open(ctx context.Context, location string) (*Catalog, error) {
	return open(ctx, location, MaxWait)
}

// open opens the catalog at location, waiting up to maxWait for an
// unavailable database on each call (tests shorten it).
func open(ctx context.Context, location string, maxWait time.Duration) (*Catalog, error) {
	name := Redact(location)
	if !IsURL(location) {
		return nil, fmt.Errorf("open catalog %s: want %s://USER@HOST/DATABASE", name, Scheme)
	}
	cfg, err := pgx.ParseConfig(location)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", name, err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	db := stdlib.OpenDB(*cfg)
	// Each process keeps a few connections: many hosts share the server.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(time.Minute)
	if err := ping(ctx, db, maxWait); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w (is the server up, and are the host, database and credentials right? libpq's PGPASSWORD, PGPASSFILE or ~/.pgpass give the password)", name, err)
	}
	sc, err := sqldb.Open(ctx, db, dialect{}, sqldb.Options{Name: name, MaxWait: maxWait})
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", name, err)
	}
	return &Catalog{Catalog: sc, url: location}, nil
}

// refusedWait bounds how long Open waits for a server that refuses
// connections: a restart closes the port for a moment, a wrong port
// closes it for good.
const refusedWait = 10 * time.Second

// ping checks that the database answers. A server that says it is
// starting up or shutting down (a restart under a running flow) is waited
// for up to maxWait, one that refuses connections up to refusedWait;
// anything else (wrong credentials, no such database) fails at once.
func ping(ctx context.Context, db *sql.DB, maxWait time.Duration) error {
	start := time.Now()
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		err := db.PingContext(ctx)
		if err == nil {
			return nil
		}
		var pe *pgconn.PgError
		restarting := errors.As(err, &pe) && unavailableStates[pe.Code]
		refused := errors.Is(err, syscall.ECONNREFUSED)
		waited := time.Since(start)
		if !(restarting && waited < maxWait) && !(refused && waited < min(maxWait, refusedWait)) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

// URL is the URL the catalog was opened with.
func (c *Catalog) URL() string { return c.url }

// IsURL reports whether location names a PostgreSQL catalog.
func IsURL(location string) bool {
	scheme, _, _ := strings.Cut(location, "://")
	return scheme == Scheme || scheme == AltScheme
}

// Redact shows a URL without the password of its user info, if it has one.
func Redact(location string) string {
	u, err := url.Parse(location)
	if err != nil {
		return location
	}
	return u.Redacted()
}
