package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/catalog"
)

// migrationFiles holds the schema, one numbered file per change:
// "0001_init.sql", "0002_....sql". Files are never edited once released;
// a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// Latest is the newest schema version this lockstep knows.
func Latest() (int, error) {
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	return ms[len(ms)-1].version, nil
}

// migrations returns the embedded migrations in version order and checks
// that versions run 1, 2, 3... without gaps or duplicates.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, p := range names {
		base := strings.TrimPrefix(p, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", p)
		}
		b, err := migrationFiles.ReadFile(p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d (gap or duplicate)", m.name, m.version, i+1)
		}
	}
	return ms, nil
}

// createMigrationsTable is applied before any migration; it records which
// versions a database holds.
const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER NOT NULL PRIMARY KEY,
    name    TEXT    NOT NULL,
    applied BIGINT  NOT NULL
)`

// migrate applies every migration up to version upTo that the database
// lacks, each in its own write transaction that first re-checks the
// version, so processes migrating the same fresh file at once apply each
// migration exactly once.
func (c *Catalog) migrate(ctx context.Context, upTo int) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	latest := ms[len(ms)-1].version
	current, err := c.schemaVersion(ctx, latest)
	if err != nil {
		return err
	}
	if current >= min(upTo, latest) {
		return nil
	}
	if err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
		if err := c.dialect.LockSchema(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, createMigrationsTable)
		return err
	}); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if m.version > upTo {
			break
		}
		if err := c.write(ctx, func(tx *sql.Tx, _ bool) error {
			if err := c.dialect.LockSchema(ctx, tx); err != nil {
				return err
			}
			return apply(ctx, tx, m, latest)
		}); err != nil {
			return err
		}
	}
	return nil
}

// apply runs migration m inside tx unless the database already has it.
func apply(ctx context.Context, tx *sql.Tx, m migration, latest int) error {
	var current int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > latest {
		return newerSchema(current, latest)
	}
	if current >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("apply migration %s: %w", m.name, err)
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)",
		m.version, m.name, time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("record migration %s: %w", m.name, err)
	}
	return nil
}

// schemaVersion returns the highest applied migration (0 for a fresh file)
// and fails with catalog.ErrNewerSchema if it is above latest, the newest this
// lockstep knows. Whether the table exists is the dialect's to say.
func (c *Catalog) schemaVersion(ctx context.Context, latest int) (int, error) {
	var current int
	err := c.read(ctx, func(tx *sql.Tx) error {
		current = 0
		ok, err := c.dialect.HasTable(ctx, tx, "schema_migrations")
		if err != nil || !ok {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current)
	})
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if current > latest {
		return 0, newerSchema(current, latest)
	}
	return current, nil
}

// newerSchema explains a database from a newer lockstep.
func newerSchema(current, latest int) error {
	return fmt.Errorf("%w: the database has schema version %d, this lockstep knows up to %d; upgrade lockstep",
		catalog.ErrNewerSchema, current, latest)
}
