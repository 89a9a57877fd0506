package policy

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/catalog/sqlite"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
)

func TestResultFailures(t *testing.T) {
	tests := []struct {
		name   string
		checks []Check
		want   string
	}{
		{"all pass", []Check{pass("provenance", "", "ok"), pass("code", "", "ok")}, ""},
		{"leaf failure", []Check{pass("provenance", "", "ok"), fail("code", "", "not reviewed")}, "code: not reviewed"},
		{"nested failures name their parents", []Check{group("datasets", "ok", "bad", []Check{
			group("dataset a@1", "ok", "bad", []Check{pass("bom", "", "ok"), fail("license", "", "GPL is not allowed")}),
			fail("dataset b@1", "", "no BOM"),
		})}, "datasets / dataset a@1 / license: GPL is not allowed; datasets / dataset b@1: no BOM"},
		{"failed group without failed children", []Check{fail("sandbox", "", "no run is known")}, "sandbox: no run is known"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Result{Policy: "p.yaml", Checks: tt.checks, Allowed: !failed(tt.checks)}
			if got := strings.Join(r.Failures(), "; "); got != tt.want {
				t.Errorf("Failures = %q, want %q", got, tt.want)
			}
			if r.Allowed != (tt.want == "") {
				t.Errorf("Allowed = %v", r.Allowed)
			}
			if s := r.Summary(); r.Allowed && s != "allowed by policy p.yaml" || !r.Allowed && !strings.HasSuffix(s, tt.want) {
				t.Errorf("Summary = %q", s)
			}
		})
	}
}

func TestEvaluateNeedsAHome(t *testing.T) {
	_, err := Evaluate(context.Background(), nil, nil, &Policy{}, Target{Digest: core.DigestOf(nil)}, Options{})
	if !errors.Is(err, ErrNoStore) {
		t.Fatalf("got %v, want ErrNoStore", err)
	}
}

func TestEvaluateWithoutEvidence(t *testing.T) {
	dir := keyDir(t, "platform", "data-team", "alice", "bob", "rebuilder")
	pol, err := Parse(filepath.Join(dir, "policy.yaml"), []byte(examplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dir, "home"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := sqlite.Open(context.Background(), filepath.Join(dir, "home", "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	d := core.DigestOf([]byte("a model nobody built"))
	res, err := Evaluate(context.Background(), st, cat, pol, Target{Digest: d}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Allowed || len(res.Checks) != 8 {
		t.Fatalf("allowed %v with %d checks", res.Allowed, len(res.Checks))
	}
	want := map[string]string{
		"provenance":     "no provenance for " + d.String(),
		"sandbox":        "no run is known",
		"reproduced":     "no run is known",
		"modelSignature": "no model signature for " + d.Short(),
		"dependencies":   "no run is known",
	}
	for _, c := range res.Checks {
		if w, ok := want[c.Name]; ok && !strings.Contains(c.Reason, w) {
			t.Errorf("%s: %q lacks %q", c.Name, c.Reason, w)
		}
		if c.Passed {
			t.Errorf("%s passed without evidence", c.Name)
		}
	}
}
