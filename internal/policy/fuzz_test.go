package policy

import (
	"errors"
	"path/filepath"
	"testing"
)

func FuzzParsePolicy(f *testing.F) {
	dir := keyDir(f, "platform", "data-team", "alice", "bob", "rebuilder")
	f.Add([]byte(examplePolicy))
	f.Add([]byte("apiVersion: lockstep.dev/v1\nkind: Policy\n"))
	f.Add([]byte("apiVersion: lockstep.dev/v1\nkind: Policy\nrequire: {sandbox: hermetic, formats: {pickle: allow}}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("- 1\n- 2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pol, err := Parse(filepath.Join(dir, "policy.yaml"), b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		// A valid policy names only roles it defines.
		for _, role := range []string{ruleRole(pol.Require.Provenance), codeRole(pol.Require.Code)} {
			if role != "" && len(pol.Keys(role)) == 0 {
				t.Fatalf("policy requires role %q without keys", role)
			}
		}
		_ = pol.Explain()
	})
}

func ruleRole(r *ProvenanceRule) string {
	if r == nil {
		return ""
	}
	return r.SignedBy
}

func codeRole(r *CodeRule) string {
	if r == nil {
		return ""
	}
	return r.ReviewedBy
}
