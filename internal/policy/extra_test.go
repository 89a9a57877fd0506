package policy_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/attest"
	"lockstep.dev/lockstep/internal/home"
	"lockstep.dev/lockstep/internal/policy"
)

// TestProvenanceGivenBesidesTheHome evaluates a model in a home that never
// saw its run, with the run's provenance bundle given as it would come from
// a registry: the provenance rule passes on it; rules that need the run
// record still fail, and a bundle signed by no trusted key does not count.
func TestProvenanceGivenBesidesTheHome(t *testing.T) {
	w := newWorld(t, good())
	ctx := context.Background()
	stored, err := attest.Stored(ctx, w.h.Store, w.h.Catalog, w.model, attest.ProvenancePredicateType)
	if err != nil || len(stored) != 1 {
		t.Fatalf("the world's provenance: %d bundles, %v", len(stored), err)
	}
	bundle := stored[0].Bytes
	path := filepath.Join(w.dir, "policy.yaml")
	os.WriteFile(path, []byte("apiVersion: lockstep.dev/v1\nkind: Policy\nauthorities: {builders: [keys/platform.pub], others: [keys/stranger.pub]}\n"+
		"require: {provenance: {signedBy: builders}, sandbox: confined}\n"), 0o644)
	pol, err := policy.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := home.OpenTemp(t)
	eval := func(h *home.Home, bundles ...[]byte) (*policy.Result, string) {
		t.Helper()
		res, err := policy.Evaluate(ctx, h.Store, h.Catalog, pol, policy.Target{Digest: w.model}, policy.Options{Provenance: bundles})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, c := range res.Checks {
			writeCheck(&b, c, "")
		}
		return res, b.String()
	}

	res, text := eval(elsewhere)
	expect(t, res, text, false, "✗ provenance: no provenance for "+w.model.String())
	res, text = eval(elsewhere, bundle)
	expect(t, res, text, false, "✓ provenance: signed by keys/platform.pub", "run r1 finished", "✗ sandbox: no run is known")
	if res.Evidence.Provenance == nil || !res.Evidence.Provenance.Verified {
		t.Errorf("evidence provenance %+v", res.Evidence.Provenance)
	}

	// In the home that holds the run the same bundle is not counted twice,
	// and the run's record is found from it.
	res, text = eval(w.h, bundle)
	expect(t, res, text, true, "✓ provenance", "✓ sandbox: all 1 tasks ran confined")

	// A bundle signed by a key of another role is no provenance by builders.
	stmt, err := attest.InspectUnverified(bundle)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := attest.Sign(ctx, stmt, w.keys["stranger"])
	if err != nil {
		t.Fatal(err)
	}
	res, text = eval(elsewhere, forged)
	expect(t, res, text, false, "✗ provenance: provenance is signed by keys/stranger.pub", "not by role builders")
}
