package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/capture"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/engine"
	"lockstep.dev/lockstep/internal/query"
)

// stepSecrets are the values a step receives in the test below: under
// names that look secret, under plain names with values of a well-known
// credential shape, and under names the flow declares secret.
var stepSecrets = map[string]string{
	"DB_PASS":        "hunter2-db",
	"HF_AUTH":        "plain-auth-value",
	"API_KEY":        "key-value-123",
	"SESSION_COOKIE": "cookie-value-456",
	"WAREHOUSE_DSN":  "host=db user=u password=dsn-pw-789",
	"DATABASE_URL":   "postgres://app:url-pw-321@db:5432/x",
	"T_HF":           "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
	"T_GHP":          "ghp_0123456789abcdefghijABCDEFGHIJ012345",
	"T_GHPAT":        "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
	"T_AWS":          "AKIAIOSFODNN7EXAMPLE",
	"T_SK":           "sk-proj-0123456789abcdefABCDEF",
	"T_SLACK":        "xoxb-123456789012-abcdefABCDEF",
	"T_JWT":          "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl",
	"T_PEM":          "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
	"FLOW_SECRET":    "declared-by-the-flow",
	"STEP_SECRET":    "declared-by-the-step",
}

func TestSecretsAreSealedEverywhere(t *testing.T) {
	var env, checks []string
	for name := range stepSecrets {
		if !strings.HasSuffix(name, "_SECRET") {
			env = append(env, name)
		}
		checks = append(checks, `test -n "$`+name+`"`)
	}
	sort.Strings(env)
	sort.Strings(checks)
	flow := "flow: s\nsecrets: [FLOW_SECRET]\nsteps:\n  a:\n    run: " + strings.Join(checks, " && ") +
		" && echo ok > $LOCKSTEP_OUTPUT_DIR/o.txt\n    outputs: {o: o.txt}\n    env: [" + strings.Join(env, ", ") +
		"]\n    secrets: [STEP_SECRET]\n"
	p := newProject(t, flow, nil)
	base := p.environ
	withSecrets := func(over map[string]string) {
		p.environ = slices.Clone(base)
		for name, value := range stepSecrets {
			if v, ok := over[name]; ok {
				value = v
			}
			p.environ = append(p.environ, name+"="+value)
		}
	}
	withSecrets(nil)
	p.mustRun(0, "run")

	envOf := func() capture.Environment {
		var byStep map[string]capture.Environment
		p.jsonOf(&byStep, "env", "last")
		return byStep["a"]
	}
	recorded := envOf()
	for name := range stepSecrets {
		got := recorded.Env[name]
		if name == "DATABASE_URL" {
			got = strings.TrimSuffix(strings.TrimPrefix(got, "postgres://app:"), "@db:5432/x")
		}
		if !strings.HasPrefix(got, capture.SealPrefix) || len(got) != len(capture.SealPrefix)+64 {
			t.Errorf("env %s recorded as %q, want its HMAC (%s<64 hex digits>)", name, recorded.Env[name], capture.SealPrefix)
		}
	}
	texts := []string{p.mustRun(0, "env", "last").stdout, p.mustRun(0, "env", "last", "--json").stdout,
		p.mustRun(0, "show", "last", "--json").stdout, p.mustRun(0, "show", "last").stdout,
		p.mustRun(0, "logs", "last", "a").stdout}
	home := filepath.Join(p.dir, ".lockstep")
	err := filepath.WalkDir(home, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !e.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		texts = append(texts, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, value := range stepSecrets {
		secret := value
		if name == "WAREHOUSE_DSN" {
			secret = "dsn-pw-789"
		}
		if name == "DATABASE_URL" {
			secret = "url-pw-321"
		}
		if name == "T_PEM" {
			secret = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
		}
		for _, text := range texts {
			if strings.Contains(text, secret) {
				t.Errorf("the value of %s appears in the output or the home folder", name)
				break
			}
		}
	}

	// A changed secret is a changed environment: the step re-runs and
	// why names the variable, still without its value.
	withSecrets(map[string]string{"DB_PASS": "hunter3-db"})
	p.mustRun(0, "run")
	var show query.Showing
	p.jsonOf(&show, "show", "last")
	if got := show.Tasks["a"].Status; got != core.StatusSucceeded {
		t.Errorf("step a is %s after DB_PASS changed, want re-run", got)
	}
	after := envOf()
	if after.Env["DB_PASS"] == recorded.Env["DB_PASS"] || after.Env["HF_AUTH"] != recorded.Env["HF_AUTH"] {
		t.Errorf("DB_PASS recorded as %s then %s, HF_AUTH %s then %s: want only DB_PASS's HMAC changed",
			recorded.Env["DB_PASS"], after.Env["DB_PASS"], recorded.Env["HF_AUTH"], after.Env["HF_AUTH"])
	}
	var exps []engine.Explanation
	p.jsonOf(&exps, "why", "last", "a")
	found := false
	for _, e := range exps {
		for _, c := range e.Changes {
			found = found || strings.HasSuffix(c.Field, "env DB_PASS")
		}
	}
	if !found {
		t.Errorf("why last a does not name DB_PASS: %+v", exps)
	}
	if out := p.mustRun(0, "why", "last", "a").stdout; strings.Contains(out, "hunter") {
		t.Errorf("why shows the secret:\n%s", out)
	}

	// The same value seals alike in this home only: the key is the home's.
	key, err := os.ReadFile(filepath.Join(home, "secret.key"))
	if err != nil || len(key) != 32 {
		t.Fatalf("home secret key: %d bytes, %v", len(key), err)
	}
	if fi, _ := os.Stat(filepath.Join(home, "secret.key")); fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("secret key mode %v, want 0600", fi.Mode().Perm())
	}
	if bytes.Contains([]byte(after.Env["DB_PASS"]), key) {
		t.Error("the key is in the record")
	}
}
