package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/catalog/postgres/pgtest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/query"
)

// TestCatalogCopyToPostgreSQL moves a laptop's catalog into PostgreSQL; a
// home on the team's catalog and the laptop's objects then answers runs,
// show and verify exactly as the laptop did.
func TestCatalogCopyToPostgreSQL(t *testing.T) {
	url := pgtest.FreshURL(t)
	p, keys := signedProject(t)
	p.mustRun(0, "run", "--sign-with", filepath.Join(keys, "builder.key"))
	report := filepath.Join(t.TempDir(), "report.txt")
	p.mustRun(0, "get", "last", "train.report", report)
	answers := func(p *project) []string {
		var out []string
		for _, args := range [][]string{{"runs", "--json"}, {"show", "last", "--json"},
			{"verify", report, "--key", filepath.Join(keys, "builder.pub"), "--json"}} {
			out = append(out, p.mustRun(0, args...).stdout)
		}
		return out
	}
	laptop := answers(p)

	r := p.mustRun(0, "catalog", "copy", "--to", url)
	if !strings.Contains(r.stdout, "copied 1 runs, 1 tasks") || !strings.Contains(r.stdout, "verified 1 runs, 1 tasks") {
		t.Errorf("catalog copy:\n%s%s", r.stdout, r.stderr)
	}
	if r := p.mustRun(0, "catalog", "copy", "--to", url); !strings.Contains(r.stdout, "copied 0 runs") || !strings.Contains(r.stdout, "(1 runs,") {
		t.Errorf("copying again:\n%s", r.stdout)
	}

	team := newProject(t, modelFlow, nil)
	team.mustRun(0, "init", "--store", "file://"+filepath.Join(p.dir, ".lockstep"), "--catalog", url)
	for i, got := range answers(team) {
		if got != laptop[i] {
			t.Errorf("on the team's catalog:\n%s\nwant, as on the laptop:\n%s", got, laptop[i])
		}
	}
}

func TestCatalogCopyRefusesBadDestinations(t *testing.T) {
	p := newProject(t, echoFlow, nil)
	p.mustRun(0, "init")
	for _, tc := range []struct{ to, want string }{
		{"", "--to URL is required"},
		{"postgres://bob:hunter2@db.example/lockstep", "carries a password"},
		{"sqlite://" + filepath.Join(p.dir, ".lockstep", "catalog.db"), "this home's own catalog"},
	} {
		r := p.mustRun(2, "catalog", "copy", "--to", tc.to)
		if !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "hunter2") {
			t.Errorf("--to %q: %s", tc.to, r.stderr)
		}
	}
	if r := p.mustRun(1, "catalog", "copy", "--to", "mysql://db/x"); !strings.Contains(r.stderr, "known: postgres") {
		t.Errorf("unknown scheme: %s", r.stderr)
	}
}

// teamProject is a project whose home keeps its catalog in a fresh
// PostgreSQL database.
func teamProject(t *testing.T, flow string) *project {
	t.Helper()
	p := newProject(t, flow, nil)
	p.mustRun(0, "init", "--catalog", pgtest.FreshURL(t))
	return p
}

// TestRunsFromManyProcessesOnPostgreSQL runs one flow from four lockstep
// processes at once against one PostgreSQL catalog: every run succeeds and
// is listed whole, and gc afterwards keeps what they made.
func TestRunsFromManyProcessesOnPostgreSQL(t *testing.T) {
	p := teamProject(t, "flow: c\nsteps:\n  a:\n    run: echo $LOCKSTEP_SEED > $LOCKSTEP_OUTPUT_DIR/o.txt\n    sandbox: none\n    outputs: {o: o.txt}\n  b:\n    run: cat $LOCKSTEP_INPUT_O > $LOCKSTEP_OUTPUT_DIR/p.txt\n    sandbox: none\n    inputs: {o: a.o}\n    outputs: {p: p.txt}\n")
	for _, r := range runAtOnce(t, p, 4) {
		if len(r.Outputs) != 2 {
			t.Errorf("run %s: outputs %v, want both steps' outputs", r.ID, r.Outputs)
		}
	}
	p.mustRun(0, "gc")
	p.mustRun(0, "check")
}

// TestARunOutlastsAPostgreSQLRestart restarts the server while a run is
// between its steps: the run waits for the catalog, succeeds, and is
// recorded whole.
func TestARunOutlastsAPostgreSQLRestart(t *testing.T) {
	p := teamProject(t, "flow: slow\nsteps:\n  a:\n    run: sleep 1 && echo a > $LOCKSTEP_OUTPUT_DIR/a.txt\n    sandbox: none\n    outputs: {a: a.txt}\n  b:\n    run: sleep 1 && cat $LOCKSTEP_INPUT_A > $LOCKSTEP_OUTPUT_DIR/b.txt\n    sandbox: none\n    inputs: {a: a.a}\n    outputs: {b: b.txt}\n")
	cmd, out := p.lockstepProcess("run")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // a has finished, b runs
	if err := pgtest.Shared(t).Restart(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the run across a restart: %v\n%s", err, out)
	}
	var runs []query.RunListing
	p.jsonOf(&runs, "runs")
	if len(runs) != 1 || runs[0].Status != core.StatusSucceeded || len(runs[0].Outputs) != 2 {
		t.Fatalf("after the restart: %+v", runs)
	}
	p.mustRun(0, "show", "last")
}
