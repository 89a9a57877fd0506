package policy

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockstep.dev/lockstep/internal/attest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// keyDir writes public keys named names into a temporary folder.
func keyDir(t testing.TB, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "keys"), 0o755)
	for _, n := range names {
		s, err := attest.GenerateKey("")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "keys", n+".pub"), s.PublicKey.PEM(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const examplePolicy = `apiVersion: lockstep.dev/v1
kind: Policy
authorities:                      # role -> trusted public keys
  builders: [keys/platform.pub]
  data-producers: [keys/data-team.pub]
  reviewers: [keys/alice.pub, keys/bob.pub]
  rebuilders: [keys/rebuilder.pub]
require:
  provenance: {signedBy: builders, maxAge: 90d}
  sandbox: hermetic
  datasets: {bom: true, signedBy: data-producers, licenses: [CC-BY-4.0, CC0-1.0, MIT]}
  code: {reviewedBy: reviewers, minReviewers: 2}
  formats: {pickle: deny}
  reproduced: {by: rebuilders}
  modelSignature: {signedBy: builders}
  dependencies: {max-severity: high, malicious: deny, unverified-files: deny, allow: [GHSA-x4qr-2fvf-3mr5], max-age: 3d}
admission: {requireModel: true}
`

func TestParseExample(t *testing.T) {
	dir := keyDir(t, "platform", "data-team", "alice", "bob", "rebuilder")
	pol, err := Parse(filepath.Join(dir, "policy.yaml"), []byte(examplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	q := pol.Require
	if q.Provenance.SignedBy != "builders" || q.Provenance.MaxAge != 90*24*time.Hour || q.Sandbox != SandboxHermetic ||
		q.Datasets.SignedBy != "data-producers" || len(q.Datasets.Licenses) != 3 || q.Code.MinReviewers != 2 ||
		q.Formats.Pickle != "deny" || q.Reproduced.By != "rebuilders" || q.ModelSignature.SignedBy != "builders" || !pol.Admission.RequireModel {
		t.Fatalf("parsed %+v", q)
	}
	if got := strings.Join(pol.Roles, ","); got != "builders,data-producers,reviewers,rebuilders" {
		t.Errorf("roles %s", got)
	}
	if len(pol.Keys("reviewers")) != 2 || pol.Keys("reviewers")[1].Name != "keys/bob.pub" || len(pol.AllKeys()) != 5 {
		t.Errorf("keys: %v", pol.Keys("reviewers"))
	}
	if r := pol.RoleOf(pol.Keys("rebuilders")[0]); r != "rebuilders" {
		t.Errorf("RoleOf = %q", r)
	}
}

func TestParseErrors(t *testing.T) {
	dir := keyDir(t, "platform")
	os.WriteFile(filepath.Join(dir, "keys/garbage.pub"), []byte("not a key"), 0o644)
	head := "apiVersion: lockstep.dev/v1\nkind: Policy\nauthorities:\n  builders: [keys/platform.pub]\n"
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "empty policy file"},
		{"not yaml", "a: [", "not valid YAML"},
		{"no header", "require: {}\n", ":1: a policy starts with apiVersion"},
		{"wrong version", "apiVersion: v2\nkind: Policy\n", `:1: apiVersion is "v2"; write one of lockstep.dev/v1`},
		{"unknown top key", head + "requires: {}\n", `:5: unknown key "requires" in the policy`},
		{"unknown rule", head + "require:\n  provenence: {signedBy: builders}\n", `:6: unknown key "provenence" in require (known keys: provenance,`},
		{"unknown role", head + "require:\n  provenance: {signedBy: builder}\n", `:6: require.provenance.signedBy names role "builder", which authorities does not define (defined: [builders])`},
		{"missing key file", "apiVersion: lockstep.dev/v1\nkind: Policy\nauthorities:\n  builders:\n    - keys/platform.pub\n    - keys/nope.pub\n", `:6: key keys/nope.pub of role "builders"`},
		{"unreadable key", "apiVersion: lockstep.dev/v1\nkind: Policy\nauthorities:\n  builders: [keys/garbage.pub]\n", `:4: key keys/garbage.pub of role "builders"`},
		{"empty role", "apiVersion: lockstep.dev/v1\nkind: Policy\nauthorities:\n  builders: []\n", `:4: role "builders" lists no keys`},
		{"bad age", head + "require:\n  provenance: {signedBy: builders, maxAge: soon}\n", `:6: require.provenance.maxAge: "soon" is not a positive duration`},
		{"bad sandbox", head + "require:\n  sandbox: strict\n", `:6: require.sandbox is "strict"; write one of hermetic, confined`},
		{"bad bool", head + "require:\n  datasets: {bom: yes please}\n", `:6: require.datasets.bom must be true or false`},
		{"too many reviewers", head + "require:\n  code: {reviewedBy: builders, minReviewers: 3}\n", `:6: require.code.minReviewers is 3 but role "builders" has only 1 keys`},
		{"zero reviewers", head + "require:\n  code: {reviewedBy: builders, minReviewers: 0}\n", `must be a whole number of at least 1`},
		{"pickle", head + "require:\n  formats: {pickle: maybe}\n", `require.formats.pickle is "maybe"; write one of deny, allow-safe, allow`},
		{"duplicate", head + "require:\n  sandbox: hermetic\n  sandbox: confined\n", `:7: key "sandbox" appears twice in require`},
		{"missing rego", head + "rego: [extra.rego]\n", `:5: rego file extra.rego`},
		{"no licenses", head + "require:\n  datasets: {licenses: []}\n", `licenses is empty`},
		{"reproduced needs by", head + "require:\n  reproduced: {}\n", `require.reproduced needs by: ROLE`},
		{"bad severity", head + "require:\n  dependencies: {max-severity: severe}\n", `require.dependencies.max-severity is "severe"; write one of`},
		{"bad malicious", head + "require:\n  dependencies: {malicious: warn}\n", `require.dependencies.malicious`},
		{"bad unverified", head + "require:\n  dependencies: {unverified-files: maybe}\n", `require.dependencies.unverified-files`},
		{"camel case", head + "require:\n  dependencies: {maxSeverity: high}\n", `unknown key "maxSeverity"`},
		{"bad age", head + "require:\n  dependencies: {max-age: soon}\n", `require.dependencies.max-age`},
		{"bad allowTags", head + "admission:\n  requireModel: true\n  allowTags: sometimes\n", `:7: admission.allowTags must be true or false`},
		{"unknown admission key", head + "admission: {allowTag: true}\n", `:5: unknown key "allowTag" in admission (known keys: requireModel, allowTags)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(filepath.Join(dir, "p.yaml"), []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v\nwant an error containing %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestParseAdmission(t *testing.T) {
	head := "apiVersion: lockstep.dev/v1\nkind: Policy\n"
	for src, want := range map[string]Admission{
		head:                                    {},
		head + "admission: {allowTags: true}\n": {AllowTags: true},
		head + "admission:\n  requireModel: true\n  allowTags: false\n": {RequireModel: true},
	} {
		pol, err := Parse("p.yaml", []byte(src))
		if err != nil || pol.Admission != want {
			t.Errorf("%q: admission %+v, %v; want %+v", src, pol.Admission, err, want)
		}
	}
	pol, _ := Parse("p.yaml", []byte(head+"admission: {allowTags: true}\n"))
	if !strings.Contains(strings.Join(pol.Explain(), "\n"), "named by an OCI tag without a digest") {
		t.Errorf("Explain says nothing of allowTags:\n%s", strings.Join(pol.Explain(), "\n"))
	}
}

func TestParseRego(t *testing.T) {
	dir := keyDir(t, "platform")
	os.WriteFile(filepath.Join(dir, "ok.rego"), []byte("package lockstep\n\ndeny contains \"no\" if input.run.seed == 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.rego"), []byte("package lockstep\n\ndeny contains if {\n"), 0o644)
	head := "apiVersion: lockstep.dev/v1\nkind: Policy\n"
	pol, err := Parse(filepath.Join(dir, "p.yaml"), []byte(head+"rego: ok.rego\n"))
	if err != nil || len(pol.Rego) != 1 {
		t.Fatalf("rego policy: %v", err)
	}
	if _, err := Parse(filepath.Join(dir, "p.yaml"), []byte(head+"rego: [bad.rego]\n")); err == nil || !strings.Contains(err.Error(), "p.yaml:3: compile rego") {
		t.Fatalf("bad rego: %v", err)
	}
}

func TestParseAge(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90d", 90 * 24 * time.Hour}, {"2w", 14 * 24 * time.Hour}, {"36h", 36 * time.Hour}, {"1.5d", 36 * time.Hour}, {"0d", 0}, {"-1h", 0}, {"d", 0},
	}
	for _, tt := range tests {
		got, err := parseAge(tt.in)
		if got != tt.want || (err != nil) != (tt.want == 0) {
			t.Errorf("parseAge(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestExplainGolden(t *testing.T) {
	dir := keyDir(t, "platform", "data-team", "alice", "bob", "rebuilder")
	pol, err := Parse(filepath.Join(dir, "policy.yaml"), []byte(examplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	lines := pol.Explain()[len(pol.Roles):] // role lines hold fresh fingerprints
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "explain.golden")
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("Explain:\n%s\nwant:\n%s", got, want)
	}
	if first := pol.Explain()[0]; !strings.HasPrefix(first, "Role builders is held by keys/platform.pub (SHA256:") {
		t.Errorf("role line: %s", first)
	}
}
