package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/catalog/postgres/pgtest"
	"lockstep.dev/lockstep/internal/sandbox"
)

// The local backend runs `lockstep task exec` as a child process. In tests
// the test binary plays lockstep: with this variable set it runs the CLI.
const asCLI = "LOCKSTEP_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		os.Exit(Execute(os.Args[1:]))
	}
	os.Exit(pgtest.Main(m)) // stops the PostgreSQL server, if a test started one

}

// project is a temporary lockstep project with its own home.
type project struct {
	t       *testing.T
	dir     string
	environ []string
}

func newProject(t *testing.T, flow string, files map[string]string) *project {
	t.Helper()
	needSandbox(t, flow)
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "lockstep.yaml"), []byte(flow), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &project{t: t, dir: dir}
	p.environ = append(os.Environ(), asCLI+"=1", "LOCKSTEP_HOME="+filepath.Join(dir, ".lockstep"), "NO_COLOR=1")
	return p
}

// result is what one lockstep command did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs lockstep in-process in the project's folder.
func (p *project) run(args ...string) result {
	p.t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(p.dir); err != nil {
		p.t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb, p.environ)
	return result{code, out.String(), errb.String()}
}

// mustRun runs lockstep and fails the test unless it exits with want.
func (p *project) mustRun(want int, args ...string) result {
	p.t.Helper()
	r := p.run(args...)
	if r.code != want {
		p.t.Fatalf("lockstep %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// jsonOf runs a --json command and decodes its stdout.
func (p *project) jsonOf(v any, args ...string) {
	p.t.Helper()
	r := p.mustRun(0, append(args, "--json")...)
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		p.t.Fatalf("lockstep %s --json: %v\n%s", strings.Join(args, " "), err, r.stdout)
	}
}

// needSandbox skips a test whose flow runs confined (the default) on a
// machine where bubblewrap cannot run, saying why; CI installs it, so
// there these tests run.
func needSandbox(t *testing.T, flow string) {
	t.Helper()
	if strings.Contains(flow, "sandbox: none") {
		return
	}
	if err := sandbox.Available(); err != nil {
		t.Skipf("the flow runs confined and bubblewrap is not usable here: %v", err)
	}
}
