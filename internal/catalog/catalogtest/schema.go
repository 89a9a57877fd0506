package catalogtest

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"lockstep.dev/lockstep/internal/catalog"
	"lockstep.dev/lockstep/internal/core"
)

// sqlCatalog is a catalog on an SQL database with the shared schema
// (catalog/sqldb): the schema tests look into its tables, where the API
// cannot.
type sqlCatalog interface {
	catalog.Catalog
	DB() *sql.DB
	SchemaVersion(ctx context.Context) (int, error)
}

// asSQL returns c as an sqlCatalog, or skips t.
func asSQL(t *testing.T, c catalog.Catalog) sqlCatalog {
	t.Helper()
	s, ok := c.(sqlCatalog)
	if !ok {
		t.Skipf("%T is not on the shared SQL schema", c)
	}
	return s
}

// testReopenAppliesMigrationsOnce opens one database three times: the
// migrations are recorded once each, and a run written before reopening
// is still there.
func testReopenAppliesMigrationsOnce(t *testing.T, url string) {
	ctx := context.Background()
	var want int
	for i := range 3 {
		c := asSQL(t, Open(t, url))
		if i == 0 {
			if err := c.BeginRun(ctx, catalog.RunRow{ID: "r1", Flow: "f", Started: At(0)}); err != nil {
				t.Fatal(err)
			}
			var err error
			if want, err = c.SchemaVersion(ctx); err != nil || want < 1 {
				t.Fatalf("schema version %d, %v", want, err)
			}
		}
		var n, latest int
		if err := c.DB().QueryRowContext(ctx, "SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&n, &latest); err != nil {
			t.Fatal(err)
		}
		if n != want || latest != want {
			t.Errorf("open %d: %d migrations recorded up to %d, want %d", i+1, n, latest, want)
		}
		if _, err := c.Run(ctx, "r1"); err != nil {
			t.Errorf("open %d: run written before reopening: %v", i+1, err)
		}
		c.Close()
	}
}

// testNewerSchemaFails opens a database a newer lockstep migrated.
func testNewerSchemaFails(t *testing.T, url string) {
	ctx := context.Background()
	c := asSQL(t, Open(t, url))
	if _, err := c.DB().ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied) VALUES (9999, '9999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	_, err := catalog.OpenURL(ctx, url)
	if !errors.Is(err, catalog.ErrNewerSchema) {
		t.Fatalf("open a newer catalog: err = %v, want ErrNewerSchema", err)
	}
	t.Log(err)
}

// testDeleteRunRemovesOutputs looks in the table the API cannot show: no
// output row of a deleted run is left behind.
func testDeleteRunRemovesOutputs(t *testing.T, c catalog.Catalog) {
	s := asSQL(t, c)
	ctx := context.Background()
	rec := TaskRecord("f1", "train", 0, core.StatusSucceeded, "", "model", "metrics")
	if err := c.PutTask(ctx, rec, Digest("task")); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRun(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	var outputs int
	if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM task_outputs WHERE run = 'f1'").Scan(&outputs); err != nil || outputs != 0 {
		t.Errorf("outputs of f1 after DeleteRun: %d, %v", outputs, err)
	}
}
