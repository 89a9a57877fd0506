package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestFreshDatabasesAreSeparateAndSurviveARestart(t *testing.T) {
	ctx := context.Background()
	a, b := FreshURL(t), FreshURL(t)
	if a == b {
		t.Fatalf("two fresh databases share the URL %s", a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE x (v INTEGER); INSERT INTO x VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if err := Shared(t).Restart(); err != nil {
		t.Fatal(err)
	}
	conn, err = pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT v FROM x").Scan(&v); err != nil || v != 7 {
		t.Errorf("after a restart: %d, %v; want the row written before", v, err)
	}
	other, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if err := other.QueryRow(ctx, "SELECT v FROM x").Scan(&v); err == nil {
		t.Error("a fresh database holds another test's table")
	}
}
